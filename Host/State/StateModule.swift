/// SQLite state of a host (pins, events, score history, kv, durable journal).
enum StateModule {}
