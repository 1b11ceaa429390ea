"""Sharing clinical adapters safely: memorisation audits, canaries, the push rule, DP training.

Modules, one idea each (imported by name; this package imports none of them, so that the model-free
ones, ``membership``, ``publishing``, ``options``, ``report``, stay free of model code):
``scoring`` and ``canaries`` score lines under a masked LM, ``membership`` recovers pretrain's
split and computes the attack's figures, ``audit`` runs and records an audit, ``publishing`` is
``push``'s rule, ``options`` pretrain's privacy settings, ``dp`` DP-SGD with Opacus, ``report``
the card's Privacy section.
"""
