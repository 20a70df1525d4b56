"""Fine-tuning of a BERT token classifier (AraBERT by default) on span-annotated Arabic news."""
