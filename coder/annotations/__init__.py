"""Our own annotated corpus: the authoring markup and its conversion to the gold format."""
