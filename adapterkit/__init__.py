"""adapterkit: adapt multilingual BERT encoders to medical languages and domains."""

__version__ = "0.1.0"
