"""Publishing: build keys, the manifest, thumbnails and the download page."""
