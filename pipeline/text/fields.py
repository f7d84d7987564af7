"""What cleaning extracts about each report: the metadata fields, documents.csv's metadata
columns. A module of its own, importing nothing, so that the contract (artifacts.py) can declare
the table with them without every stage depending on the extraction code."""

METADATA_FIELDS = (
    "title", "province", "city", "county", "town", "year",
    "publish_date", "signed_date", "doc_number", "issuing_body", "source_url",
)
