"""Extract INVESTOR, AMOUNT, VALUATION and PROJECT spans from Arabic text.

>>> from inference import predict
>>> predict("استثمرت إنفيديا 30 مليار دولار في OpenAI")   # doctest: +SKIP
>>> from inference import extract_deals
>>> extract_deals("استثمرت إنفيديا 30 مليار دولار في OpenAI")   # doctest: +SKIP
"""

from inference.model import DealExtractor, ModelNotFoundError, default_model_dir, extract_deals, load_model, predict

__all__ = ["DealExtractor", "ModelNotFoundError", "default_model_dir", "extract_deals", "load_model", "predict"]
