"""herbot: a chatbot about the film Her, grounded in what its reviewers wrote."""
