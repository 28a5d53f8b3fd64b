"""The register: registration and its number, the change log agencies read, the search."""
