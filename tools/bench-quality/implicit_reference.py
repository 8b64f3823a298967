"""The reference side of `npm run bench:quality`: the `implicit` library's ALS given the same search
as our ALS, on the same files.

Reads a directory written by src/cli/bench-quality.ts:
  fit.tsv, validation.tsv   the validation carve-out of the training split (user, item, count)
  train.tsv, test.tsv       the training and test splits
  catalogue.tsv             every track id of the evaluation (one a line)
  configs.json              {"k": 10, "checkpoints": [4, 10, 24], "configs": [{factors, regularization,
                            alpha, confidence, countScale, seed}, ...]}
Each configuration is fitted on fit.tsv with confidences 1 + alpha * f(count / countScale), f the
identity ('linear') or log1p ('log') -- implicit is handed that matrix with its own alpha at 1, so
both libraries weigh the same data the same way -- and scored on validation.tsv at every checkpoint
(a superset of the early stopping our search can do). The best (configuration, iterations) is refit
on train.tsv and scored on test.tsv. NDCG@k as docs/datasets.md defines it: binary relevance, the
user's training tracks excluded, the full catalogue, users with a training and a test track.
Prints one JSON line on stdout.
"""
import json
import math
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
from implicit.als import AlternatingLeastSquares


def read(path):
    users, items, counts = [], [], []
    with open(path) as f:
        for line in f:
            u, i, c = line.split('\t')
            users.append(int(u))
            items.append(int(i))
            counts.append(float(c))
    return np.array(users, dtype=np.int64), np.array(items, dtype=np.int64), np.array(counts, dtype=np.float64)


def matrix(users, items, values, uix, iix):
    return sp.csr_matrix((values, ([uix[u] for u in users], [iix[i] for i in items])), shape=(len(uix), len(iix)), dtype=np.float64)


def ndcg_at_k(user_factors, item_factors, train, test, k):
    total, n = 0.0, 0
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    for u in range(train.shape[0]):
        t0, t1 = test.indptr[u], test.indptr[u + 1]
        r0, r1 = train.indptr[u], train.indptr[u + 1]
        if t1 == t0 or r1 == r0:
            continue
        scores = item_factors @ user_factors[u]
        scores[train.indices[r0:r1]] = -np.inf
        top = np.argpartition(-scores, k)[:k]
        top = top[np.argsort(-scores[top], kind='stable')]
        relevant = set(test.indices[t0:t1].tolist())
        dcg = sum(discounts[p] for p, i in enumerate(top) if i in relevant)
        idcg = discounts[: min(k, len(relevant))].sum()
        total += dcg / idcg
        n += 1
    return total / n if n else 0.0


def confidences(m, cfg):
    c = m.copy()
    x = c.data / cfg['countScale']
    c.data = 1.0 + cfg['alpha'] * (np.log1p(x) if cfg['confidence'] == 'log' else x)
    return c.astype(np.float32)


def fit(m, cfg, iterations, on_checkpoint=None, checkpoints=()):
    model = AlternatingLeastSquares(factors=cfg['factors'], regularization=cfg['regularization'], alpha=1.0, iterations=iterations,
                                    random_state=cfg.get('seed', 0), num_threads=0, calculate_training_loss=False)

    def callback(iteration, elapsed, loss):
        if on_checkpoint and iteration + 1 in checkpoints:
            on_checkpoint(iteration + 1, model)

    model.fit(confidences(m, cfg), show_progress=False, callback=callback)
    return model


def main(directory):
    started = time.time()
    spec = json.load(open(os.path.join(directory, 'configs.json')))
    k, checkpoints = spec['k'], sorted(spec['checkpoints'])
    catalogue = [int(line) for line in open(os.path.join(directory, 'catalogue.tsv')) if line.strip()]
    parts = {name: read(os.path.join(directory, f'{name}.tsv')) for name in ('fit', 'validation', 'train', 'test')}
    all_users = sorted(set(np.concatenate([parts[p][0] for p in parts]).tolist()))
    uix = {u: j for j, u in enumerate(all_users)}
    iix = {i: j for j, i in enumerate(sorted(set(catalogue) | set(np.concatenate([parts[p][1] for p in parts]).tolist())))}
    fit_m = matrix(*parts['fit'], uix, iix)
    val_m = matrix(parts['validation'][0], parts['validation'][1], np.ones(len(parts['validation'][0])), uix, iix)
    train_m = matrix(*parts['train'], uix, iix)
    test_m = matrix(parts['test'][0], parts['test'][1], np.ones(len(parts['test'][0])), uix, iix)
    trials = []
    best = None
    for c, cfg in enumerate(spec['configs']):
        def on_checkpoint(iterations, model, c=c, cfg=cfg):
            nonlocal best
            score = ndcg_at_k(model.user_factors, model.item_factors, fit_m, val_m, k)
            trials.append({'config': c, 'iterations': iterations, 'ndcg': round(score, 6)})
            if best is None or score > best[0]:
                best = (score, cfg, iterations)
        fit(fit_m, cfg, checkpoints[-1], on_checkpoint, set(checkpoints))
    _, cfg, iterations = best
    model = fit(train_m, cfg, iterations)
    test_ndcg = ndcg_at_k(model.user_factors, model.item_factors, train_m, test_m, k)
    print(json.dumps({'ndcg': test_ndcg, 'validation_ndcg': best[0], 'chosen': dict(cfg, iterations=iterations), 'trials': trials,
                      'seconds': time.time() - started, 'implicit_version': __import__('implicit').__version__}))


if __name__ == '__main__':
    main(sys.argv[1])
