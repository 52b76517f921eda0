"""What users get from the index: extractive answers, briefing notes, mandates and the
document outline. Each product reads the index through the retrieval API and knows nothing
of HTTP; the service and the CLI are thin layers over them."""
