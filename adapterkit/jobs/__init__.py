"""The jobs: what each training or evaluation command runs, one module per command.

``pretrain`` (continued MLM pre-training, full or an adapter), ``finetune`` (a task model),
``cv`` (k-fold cross-validation and ``compare``), ``predict`` (labelling new data), ``evalmlm``
(held-out perplexity) and ``analyse`` (the qualitative analyses of a compare run). A command of
``commands/`` builds a job's request and calls it; a job uses the plumbing below it (``training/``,
``tasks/``, ``readers/``, ``corpus/``, ``methods/``) and never the command line.
"""
