/// Hugging Face hub client and cache (see HubClient.swift).
public enum HubModule {}
