"""Course data: the manifest, question banks (plain and sealed), quiz scoring, parametric questions."""
