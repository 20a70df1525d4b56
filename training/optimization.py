"""How every trainer here steps: AdamW parameter groups and one optimisation step.

Fine-tuning (``training.train``), NER intermediate training and pretraining all use these,
so a change of optimiser behaviour reaches the three of them.
"""

from __future__ import annotations

from accelerate import Accelerator


def parameter_groups(model, lr: float, weight_decay: float, layer_decay: float) -> list[dict]:
    """AdamW groups: no weight decay on biases and LayerNorm; with ``layer_decay`` < 1, lower layers learn slower.

    The head gets ``lr``, encoder layer k of L gets ``lr × layer_decay^(L-k)`` and the
    embeddings ``lr × layer_decay^(L+1)`` (layer-wise learning-rate decay, as in ELECTRA and BEiT).
    """
    n_layers = model.config.num_hidden_layers
    no_decay = ("bias", "LayerNorm.weight", "layer_norm")
    groups: dict[tuple[float, float], list] = {}
    for name, param in model.named_parameters():
        if ".layer." in name:
            depth = n_layers - int(name.split(".layer.")[1].split(".")[0])
        elif "embeddings" in name:
            depth = n_layers + 1
        else:
            depth = 0
        key = (lr * layer_decay**depth, 0.0 if any(k in name for k in no_decay) else weight_decay)
        groups.setdefault(key, []).append(param)
    return [{"params": params, "lr": group_lr, "weight_decay": wd} for (group_lr, wd), params in groups.items()]


def optimizer_step(accelerator: Accelerator, model, batch: dict, optimizer, scheduler) -> float:
    """One forward pass, backward pass and update in the accelerator's precision; the batch loss.

    Fine-tuning, NER intermediate training and pretraining all step this way.
    """
    with accelerator.autocast():
        loss = model(**batch).loss
    accelerator.backward(loss)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad()
    return loss.item()
