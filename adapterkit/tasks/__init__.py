"""Downstream tasks: data readers (one module per format), NER, classification, regression."""
