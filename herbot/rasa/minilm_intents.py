# ruff: noqa: UP006, UP019, UP035 -- Rasa validates these signatures at run time and rejects dict/list/str.
"""A Rasa intent classifier on the same MiniLM sentence embeddings as retrieval.

Sentence embeddings carry paraphrase: on the held-out split, logistic regression on them
beats word and character n-grams by a wide margin, and it trains in seconds instead of
minutes. The model is stored as plain arrays (no pickle), and the encoder is loaded once
per process, lazily, from the same package as retrieval's.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.once import once

_FILE = "minilm_intents.npz"


@once
def _encoder():
    """The sentence model, loaded with the Rasa model (:meth:`MiniLMIntentClassifier.load`)."""
    from herbot.settings import get_settings
    from knowledge.embedding import open_encoder

    return open_encoder(get_settings())


def encode_ahead(text: str) -> None:
    """Encode a message before Rasa parses it (channels call this in a worker thread; see
    ``Encoder.encode_ahead``). Nothing to do before the model is loaded."""
    encoder = _encoder.peek()
    if encoder is not None and text.strip():
        encoder.encode_ahead(text.strip())  # Rasa's UserMessage strips the text it parses


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class MiniLMIntentClassifier(GraphComponent, IntentClassifier):
    """Multinomial logistic regression over normalised MiniLM sentence vectors."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 20.0, "random_seed": 13}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 weights: np.ndarray | None = None, bias: np.ndarray | None = None, labels: List[Text] | None = None):
        self.config = {**self.get_default_config(), **config}
        self._storage, self._resource = model_storage, resource
        self.weights, self.bias, self.labels = weights, bias, labels or []

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> MiniLMIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        vectors = _encoder().encode([m.get(TEXT) for m in examples])
        model = LogisticRegression(C=self.config["C"], max_iter=5000, random_state=self.config["random_seed"])
        model.fit(vectors, [m.get(INTENT) for m in examples])
        self.weights, self.bias, self.labels = model.coef_, model.intercept_, [str(c) for c in model.classes_]
        with self._storage.write_to(self._resource) as folder:
            np.savez(folder / _FILE, weights=self.weights, bias=self.bias, labels=np.array(self.labels))
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> MiniLMIntentClassifier:
        try:
            with model_storage.read_from(resource) as folder:
                stored = np.load(folder / _FILE, allow_pickle=False)
                loaded = cls(config, model_storage, resource, stored["weights"], stored["bias"],
                             [str(label) for label in stored["labels"]])
        except ValueError:  # not trained yet (Rasa loads untrained components too)
            return cls(config, model_storage, resource)
        _encoder()  # load the model with the Rasa model, so that "ready" means the first answer is quick
        return loaded

    def process(self, messages: List[Message]) -> List[Message]:
        if self.weights is None or not messages:
            return messages
        texts = [m.get(TEXT) or "" for m in messages]
        # One message is a turn: take its vector if a channel encoded it ahead (outside the event loop).
        vectors = _encoder().encode_query(texts[0])[None, :] if len(texts) == 1 else _encoder().encode(texts)
        logits = vectors @ self.weights.T + self.bias
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        for message, row in zip(messages, probabilities, strict=True):
            if not (message.get(TEXT) or "").strip():
                # Nothing said is not a "yes": zero confidence lets the fallback ask what was meant.
                message.set("intent", {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set("intent_ranking", [], add_to_output=True)
                continue
            order = np.argsort(-row)[:LABEL_RANKING_LENGTH]
            ranking = [{"name": self.labels[i], "confidence": float(row[i])} for i in order]
            message.set("intent", ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
