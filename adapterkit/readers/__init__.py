"""The bottom floor: reading task data and scoring predictions, with no model code.

Nothing in this folder imports torch, transformers, peft or any training module (checked by
``tests/test_architecture.py``), so a file is read, checked and scored in a fraction of a second,
and a reader can be tested on its own. ``formats`` chooses the reader a file's format calls
(``conll``, ``brat``, ``jsonl``/parquet) and merges parts; ``data`` holds what they return;
``hygiene`` the checks they share; ``kinds`` the table of task kinds; ``scorer`` the official-style
entity scorer of ``adapterkit score``.
"""
