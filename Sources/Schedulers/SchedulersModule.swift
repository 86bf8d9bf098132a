/// The schedulers module (see its scheduler files).
public enum SchedulersModule {}
