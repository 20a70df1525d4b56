"""``transformers.pipeline`` with ``predict()``'s spans: the task ``deal-extraction``.

The stock token-classification pipeline groups sub-tokens itself and returns fragments
(«##ند»). This one runs the project's own path instead: labeling's word tokenizer, the
windows of the model's ``config.json``, valid-IOB2 decoding and the guidelines' trimming
(:func:`inference.decoding.predict_spans`), so its spans are those of
``load_model(DIR).predict(text)``, in the aggregated format transformers users know::

    import inference.pipeline                      # registers the task
    from transformers import pipeline

    pipe = pipeline("deal-extraction", model="runs/default")
    pipe(text, threshold=0.5)    # [{"entity_group", "score", "word", "start", "end"}]

No code from a model directory is run: the class is ours and imported, never downloaded.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from transformers import AutoModelForTokenClassification, Pipeline
from transformers.models.auto.modeling_auto import MODEL_FOR_TOKEN_CLASSIFICATION_MAPPING_NAMES
from transformers.pipelines import PIPELINE_REGISTRY

from inference.decoding import PredictedSpan, check_threshold, predict_spans
from inference.encoding import torch_forward
from inference.model import check_labels, window_settings

TASK = "deal-extraction"
#: The stock pipeline's own name for whole spans; accepted so that a call written for it still works.
SIMPLE = "simple"


def as_entity(span: PredictedSpan) -> dict[str, Any]:
    """A span in the format of ``aggregation_strategy="simple"``."""
    return {"entity_group": span.label, "score": span.score, "word": span.text, "start": span.start, "end": span.end}


class DealExtractionPipeline(Pipeline):
    """Deal spans of a text (or of each text of a list); ``threshold`` drops spans scoring below it.

    ``context``, ``max_length`` and ``stride`` override the window settings the model was trained
    with, as in :func:`inference.model.load_model`.
    """

    _load_processor = False
    _load_image_processor = False
    _load_feature_extractor = False
    _load_tokenizer = True

    def __init__(
        self, context: str | None = None, max_length: int | None = None, stride: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.check_model_type(MODEL_FOR_TOKEN_CLASSIFICATION_MAPPING_NAMES)
        path = Path(self.model.name_or_path or ".")
        check_labels(self.model.config, path)
        if self.tokenizer is None or not self.tokenizer.is_fast:
            raise ValueError(f"model at {path}: word alignment needs a fast tokenizer (tokenizer.json)")
        self.settings = window_settings(self.model.config, path, max_length, stride, context)

    def _sanitize_parameters(
        self, threshold: float | None = None, aggregation_strategy: Any = None, **unknown: Any
    ) -> tuple[dict, dict, dict]:
        if unknown:
            raise TypeError(
                f"{TASK} pipeline: unknown parameter(s) {', '.join(sorted(unknown))}; it takes threshold "
                "(and context, max_length, stride when created)"
            )
        strategy = getattr(aggregation_strategy, "value", aggregation_strategy)  # a str or transformers' enum
        if strategy is not None and str(strategy).lower() != SIMPLE:
            raise ValueError(
                f"{TASK} pipeline always returns whole spans (aggregation_strategy={SIMPLE!r}), "
                f"got {aggregation_strategy!r}"
            )
        forward = {} if threshold is None else {"threshold": check_threshold(threshold)}
        return {}, forward, {}

    def __call__(self, inputs: Any, **kwargs: Any) -> Any:
        """One text gives a list of spans; a list of texts gives a list of such lists."""
        if isinstance(inputs, list) and not inputs:
            return []  # transformers would read inputs[0]
        return super().__call__(inputs, **kwargs)

    def save_pretrained(self, save_directory: str | os.PathLike, **kwargs: Any) -> None:
        """The model and tokenizer only. transformers would also copy this module into the directory and name it in
        ``config.json``, and such a directory then loads only with ``trust_remote_code``."""
        self.model.save_pretrained(save_directory, **kwargs)
        self.tokenizer.save_pretrained(save_directory, **kwargs)

    def preprocess(self, text: Any) -> dict[str, str]:
        if not isinstance(text, str):
            raise TypeError(f"{TASK} pipeline expects str or a list of str, got {type(text).__name__}")
        return {"text": text}

    def _forward(self, model_inputs: dict, threshold: float = 0.0) -> dict[str, list]:
        # With batch_size > 1 transformers collates the texts into a list and splits the spans back per text.
        text = model_inputs["text"]
        texts = [text] if isinstance(text, str) else list(text)
        spans = predict_spans(torch_forward(self.model), self.tokenizer, texts, self.settings, threshold=threshold)
        return {"spans": spans[0] if isinstance(text, str) else spans}

    def postprocess(self, model_outputs: dict[str, list]) -> list[dict[str, Any]]:
        return [as_entity(s) for s in model_outputs["spans"]]


PIPELINE_REGISTRY.register_pipeline(
    TASK, pipeline_class=DealExtractionPipeline, pt_model=AutoModelForTokenClassification, type="text"
)
