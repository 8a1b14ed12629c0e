"""Review of translations: the store reviewers save through, the review log, XLIFF and DOCX."""
