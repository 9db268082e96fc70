"""Text -> typed records: cleaning, document structure, entities, roles, lineage. Knows nothing of RDF."""
