"""The knowledge base: review ingestion, the FAISS index, retrieval and film facts."""
