"""The functional core: plain-Python domain logic (no Faust, Kafka or Redis imports)."""
