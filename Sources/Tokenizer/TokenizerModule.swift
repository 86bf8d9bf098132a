/// The CLIP tokenizer module (see CLIPTokenizer.swift).
public enum TokenizerModule {}
