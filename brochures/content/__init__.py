"""Content: YAML reading, the concept, brochure definitions, the project, the synopsis importer."""
