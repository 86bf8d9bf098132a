/// PNG and (later) JPEG codecs over the system libraries.
public enum ImageCodecsModule {}
