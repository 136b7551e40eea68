#!/usr/bin/python3
"""Makes the bad-input corpus of tests/core/test_bad_inputs.cpp: malformed files for every reader (point
clouds, distance matrices in every format, diagrams, matrices, activation stores and dataset files written by
h5py as another tool would) and cases.tsv, one command per line that must fail with exit 1, one stderr line
naming the culprit, and an existing output left untouched.

cases.tsv columns (tab-separated): name, culprit (a substring the error line must hold), arguments.
In the arguments {bad} is this folder, {data} is tests/data, {out} (out.csv) and {json} (out.json) existing output
files the command must not touch (the test writes them first), {outdir} an existing output folder.
Run from anywhere:  /usr/bin/python3 tests/data/bad/make_bad.py   (needs python3-numpy, python3-h5py)
"""
import os
import numpy as np
import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
cases = []


def text(name, content):
    with open(os.path.join(HERE, name), 'w') as f:
        f.write(content)
    return name


def raw(name, content):
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(content)
    return name


def case(name, culprit, args):
    cases.append((name, culprit, args))


# ------------------------------------------------------------------ point clouds and distance matrices
good = text('good.csv', ''.join(f'{np.cos(t):.4f},{np.sin(t):.4f}\n' for t in np.linspace(0, 6, 12)))
P = 'persistence {bad}/%s --max-dim 1 --force -o {out}'
for name, content, culprit in [
        ('pc_empty.csv', '', 'pc_empty.csv'),
        ('pc_header_only.csv', 'x,y\n', 'pc_header_only.csv'),
        ('pc_ragged.csv', '0,0\n1,1,1\n', 'row 2'),
        ('pc_word.csv', '0,0\n1,abc\n', 'abc'),
        ('pc_nan.csv', '0,0\nnan,1\n', 'pc_nan.csv: row 2, column 1'),
        ('pc_inf.csv', '0,0\n1,inf\n', 'pc_inf.csv: row 2, column 2'),
        ('pc_overflow.csv', '0,0\n1e39,1\n', 'overflows float32'),
        ('pc_overflow_neg.csv', '0,0\n1,-3.5e38\n', 'overflows float32'),
        ('pc_1e400.csv', '0,0\n1e400,1\n', '1e400'),
        ('pc_empty_field.csv', '0,,1\n1,2,3\n', 'empty field'),
        ('pc_second_header.csv', 'x,y\n0,0\nx,y\n', 'pc_second_header.csv: row 3'),
        ('pc_semicolon_word.csv', '0;0\n1;two\n', 'two'),
        ('pc_hex_garbage.csv', '0,0\n0x1p3z,1\n', '0x1p3z'),
        ('pc_utf16.csv', '\ufeff0,0\n', 'pc_utf16.csv'),
]:
    text(name, content)
    case(name, culprit, P % name)
raw('pc_binary.csv', bytes(range(256)) * 4)
case('pc_binary.csv', 'pc_binary.csv', P % 'pc_binary.csv')

for name, content, culprit in [
        ('lower_negative.lower_distance', '\n1\n-2 3\n', 'negative distance'),
        ('lower_bad_row.lower_distance', '\n1\n2\n', 'lower_bad_row.lower_distance: row 3'),
        ('lower_nan.lower_distance', '\n1\nnan 3\n', 'lower_nan.lower_distance'),
        ('lower_overflow.lower_distance', '\n1\n1e39 3\n', 'overflows float32'),
        ('lower_count.lower_distance', '1 2', 'lower_count.lower_distance'),
        ('upper_count.upper_distance', '1 2', 'upper_count.upper_distance'),
        ('upper_negative.upper_distance', '1 -2 3', 'negative distance'),
        ('full_asym.distmat', '0 1 2\n1 0 3\n5 3 0\n', 'asymmetric'),
        ('full_diag.distmat', '1 1\n1 0\n', 'diagonal'),
        ('full_ragged.distmat', '0 1\n1 0 2\n', 'full_ragged.distmat: row 2'),
        ('full_negative.distmat', '0 -1\n-1 0\n', 'negative distance'),
        ('sp_two_cols.sparse', '0 1\n', 'expected 3'),
        ('sp_neg_index.sparse', '-1 2 0.5\n', 'vertex index'),
        ('sp_frac_index.sparse', '0.5 1 1\n', 'vertex index'),
        ('sp_huge_index.sparse', '0 1 0.5\n0 2000000000 1\n', '2000000000'),
        ('sp_index_5e9.sparse', '0 5000000000 1\n', 'vertex index'),
        ('sp_neg_dist.sparse', '0 1 -0.5\n', 'negative distance'),
        ('sp_word.sparse', '0 1 far\n', 'far'),
]:
    text(name, content)
    case(name, culprit, P % name)

raw('empty.bin', b'')
case('empty.bin', 'empty.bin: empty file', P % 'empty.bin')
raw('odd.bin', b'\0' * 5)
case('odd.bin', 'odd.bin', P % 'odd.bin')
raw('notri.bin', np.array([1, 2], dtype='<f4').tobytes())
case('notri.bin', 'notri.bin', P % 'notri.bin')
raw('nan.bin', np.array([np.nan], dtype='<f4').tobytes())
case('nan.bin', 'nan.bin', P % 'nan.bin')
raw('neg.bin', np.array([-1], dtype='<f4').tobytes())
case('neg.bin', 'neg.bin', P % 'neg.bin')


def dipha(n, values, magic=8067171840, kind=7):
    return np.array([magic, kind, n], dtype='<i8').tobytes() + np.asarray(values, dtype='<f8').tobytes()


raw('bad_magic.dipha', dipha(2, [0, 1, 1, 0], magic=1))
case('bad_magic.dipha', 'bad_magic.dipha', P % 'bad_magic.dipha')
raw('short.dipha', b'\0' * 10)
case('short.dipha', 'short.dipha', P % 'short.dipha')
raw('size_mismatch.dipha', dipha(3, [0, 1, 1, 0]))
case('size_mismatch.dipha', 'size_mismatch.dipha', P % 'size_mismatch.dipha')
raw('nan.dipha', dipha(2, [0, np.nan, np.nan, 0]))
case('nan.dipha', 'nan.dipha', P % 'nan.dipha')
raw('overflow.dipha', dipha(2, [0, 1e39, 1e39, 0]))
case('overflow.dipha', 'overflow.dipha', P % 'overflow.dipha')

G = 'persistence {bad}/good.csv --force -o {out} '
for name, opts, culprit in [
        ('opt_threads_huge', '--max-dim 1 --threads 100000', '--threads'),
        ('opt_threads_negative', '--max-dim 1 --threads -3', '--threads'),
        ('opt_max_dim_negative', '--max-dim -1', '--max-dim'),
        ('opt_max_dim_huge', '--max-dim 99', '--max-dim'),
        ('opt_coeff_not_prime', '--max-dim 1 --coeff 4', '4'),
        ('opt_threshold_negative', '--max-dim 1 --threshold -1', '--threshold'),
        ('opt_threshold_nan', '--max-dim 1 --threshold nan', '--threshold'),
        ('opt_backend', '--max-dim 1 --backend nosuch', 'nosuch'),
        ('opt_sparse', '--max-dim 1 --sparse 2', '--sparse'),
        ('opt_format', '--max-dim 1 --format nosuch', 'nosuch'),
        ('opt_metric', '--max-dim 1 --metric nosuch', 'nosuch'),
        ('opt_landmarks_negative', '--max-dim 1 --landmarks -2', '--landmarks'),
        ('opt_max_dim_word', '--max-dim one', '--max-dim'),
        ('opt_layer_on_csv', '--max-dim 1 --layer fc', '--layer'),
]:
    case(name, culprit, G + opts)
case('missing_input', 'nosuch.csv', 'persistence {bad}/nosuch.csv --max-dim 1 --force -o {out}')

# ------------------------------------------------------------------ diagrams
D = 'distance {bad}/%s {bad}/dg_good.csv --metric %s'
text('dg_good.csv', 'dim,birth,death\n0,0,1\n0,0,inf\n1,0.2,0.5\n')
for name, content, culprit in [
        ('dg_bad_header.csv', 'a,b,c\n0,0,1\n', 'dim,birth,death'),
        ('dg_death_lt_birth.csv', 'dim,birth,death\n0,2,1\n', 'dg_death_lt_birth.csv'),
        ('dg_nan.csv', 'dim,birth,death\n0,nan,1\n', 'dg_nan.csv'),
        ('dg_word.csv', 'dim,birth,death\n0,zero,1\n', 'zero'),
        ('dg_neg_dim.csv', 'dim,birth,death\n-1,0,1\n', 'dimension'),
        ('dg_missing_col.csv', 'dim,birth,death\n0,1\n', '3 columns'),
        ('dg_empty.csv', '', 'dg_empty.csv'),
        ('dg_huge.csv', 'dim,birth,death\n0,0,1e308\n', '1e+308'),
        ('dg_huge_birth.csv', 'dim,birth,death\n1,-1e300,1\n', 'dg_huge_birth.csv'),
        ('dg_inf_birth.csv', 'dim,birth,death\n1,inf,inf\n', 'dg_inf_birth.csv'),
        ('dg_json_malformed.json', '{"diagrams": [', 'not valid JSON'),
        ('dg_json_nodiagrams.json', '{"meta": {}}', 'dg_json_nodiagrams.json'),
        ('dg_json_null_birth.json', '{"diagrams": [{"dim": 0, "pairs": [[null, 1]]}]}', 'dg_json_null_birth.json'),
        ('dg_json_dim.json', '{"diagrams": [{"dim": 99, "pairs": [[0, 1]]}]}', 'dimension 99'),
        ('dg_unknown.ext', 'dim,birth,death\n', 'dg_unknown.ext'),
]:
    text(name, content)
    for metric in (['bottleneck', 'wasserstein'] if name in ('dg_huge.csv', 'dg_bad_header.csv') else ['bottleneck']):
        case(name + ':' + metric, culprit, D % (name, metric))
for name, opts, culprit in [
        ('opt_sigma_negative', '--metric image --sigma -1', '--sigma'),
        ('opt_sigma_nan', '--metric image --sigma nan', '--sigma'),
        ('opt_sigma_inf', '--metric image --sigma inf', '--sigma'),
        ('opt_distance_metric', '--metric nosuch', 'nosuch'),
        ('opt_distance_p', '--metric wasserstein --p 0', 'order p'),
]:
    case(name, culprit, 'distance {bad}/dg_good.csv {bad}/dg_good.csv ' + opts)

# ------------------------------------------------------------------ activation stores written by h5py
rng = np.random.default_rng(18)


def store(name, n=8, layers=None, labels='int64', extra=None):
    path = os.path.join(HERE, name)
    with h5py.File(path, 'w') as f:
        if isinstance(labels, str) and labels == 'int64':
            f['/inputs/labels'] = np.arange(n, dtype=np.int64) % 2
        elif labels is not None:
            f['/inputs/labels'] = labels
        f['/inputs/index'] = np.arange(n, dtype=np.int64)
        f.create_group('/layers')
        for lname, data in (layers if layers is not None else {'fc': rng.normal(size=(n, 3)).astype(np.float32)}).items():
            f[f'/layers/{lname}/activations'] = data
        if extra:
            extra(f)
    return name


S = 'persistence {bad}/%s --layer %s --max-dim 1 --force -o {out}'
store('st_good.h5')
store('st_no_layers.h5', layers={})
case('st_no_layers.h5:persistence', 'st_no_layers.h5: the activation store has no layers', S % ('st_no_layers.h5', 'all'))
case('st_no_layers.h5:similarity', 'st_no_layers.h5', 'similarity {bad}/st_no_layers.h5 --force -o {out}')
case('st_no_layers.h5:inspect', 'st_no_layers.h5', 'inspect {bad}/st_no_layers.h5')
case('st_no_layers.h5:mapper', 'st_no_layers.h5', 'mapper {bad}/st_no_layers.h5 --layer all --force -o {outdir}')
case('st_no_layers.h5:coactivation', 'st_no_layers.h5', 'coactivation {bad}/st_no_layers.h5 --force -o {out}')
case('st_no_layers.h5:distances', 'st_no_layers.h5', 'distances {bad}/st_no_layers.h5 --metric bottleneck --force -o {out}')
store('st_zero_inputs.h5', n=0, layers={'fc': np.zeros((0, 3), np.float32)})
case('st_zero_inputs.h5:persistence', 'st_zero_inputs.h5', S % ('st_zero_inputs.h5', 'fc'))
case('st_zero_inputs.h5:similarity', 'st_zero_inputs.h5', 'similarity {bad}/st_zero_inputs.h5 --force -o {out}')
store('st_float_labels.h5', labels=np.array([0, 1.5, 1, 0, 1, 0, 1, 0]))
case('st_float_labels.h5:persistence', 'st_float_labels.h5: /inputs/labels holds floating-point', S % ('st_float_labels.h5', 'fc'))
case('st_float_labels.h5:inspect', 'st_float_labels.h5: /inputs/labels', 'inspect {bad}/st_float_labels.h5')
store('st_uint64_labels.h5', labels=np.array([0, 1, 2**63 + 5, 0, 1, 0, 1, 0], dtype=np.uint64))
case('st_uint64_labels.h5', 'st_uint64_labels.h5: /inputs/labels[2]', S % ('st_uint64_labels.h5', 'fc'))
store('st_string_labels.h5', labels=np.array([b'cat'] * 8))
case('st_string_labels.h5', 'st_string_labels.h5', S % ('st_string_labels.h5', 'fc'))
store('st_labels_2d.h5', labels=np.zeros((8, 2), np.int64))
case('st_labels_2d.h5', 'st_labels_2d.h5', S % ('st_labels_2d.h5', 'fc'))
store('st_no_labels.h5', labels=None)
case('st_no_labels.h5', 'st_no_labels.h5', S % ('st_no_labels.h5', 'fc'))
store('st_rows_mismatch.h5', layers={'fc': np.zeros((5, 3), np.float32)})
case('st_rows_mismatch.h5', 'st_rows_mismatch.h5', S % ('st_rows_mismatch.h5', 'fc'))
store('st_unknown_layer.h5')
case('st_unknown_layer.h5', "no layer 'fcc'", S % ('st_unknown_layer.h5', 'fcc'))


def huge(f):
    f.create_dataset('/layers/big/activations', shape=(8, 1 << 20, 1 << 20), dtype='f4', chunks=(1, 1, 1024))


store('st_huge_shape.h5', layers={}, extra=huge)
case('st_huge_shape.h5', "st_huge_shape.h5: layer 'big'", S % ('st_huge_shape.h5', 'big') + ' --sampling flatten')


def virtual(f):
    layout = h5py.VirtualLayout(shape=(8, 3), dtype='f4')
    layout[:] = h5py.VirtualSource('st_missing_source.h5', '/x', shape=(8, 3))
    f['/layers'].create_group('fc')
    f['/layers/fc'].create_virtual_dataset('activations', layout, fillvalue=0)


store('st_virtual_missing.h5', layers={}, extra=virtual)
case('st_virtual_missing.h5', 'st_missing_source.h5', S % ('st_virtual_missing.h5', 'fc'))


def checksummed(f):
    f.create_dataset('/layers/fc/activations', data=rng.normal(size=(8, 64)).astype(np.float32),
                     chunks=(8, 64), fletcher32=True)


store('st_corrupt.h5', layers={}, extra=checksummed)
with h5py.File(os.path.join(HERE, 'st_corrupt.h5'), 'r') as f:
    offset = f['/layers/fc/activations'].id.get_chunk_info(0).byte_offset
with open(os.path.join(HERE, 'st_corrupt.h5'), 'r+b') as f:  # one flipped bit inside the chunk
    f.seek(offset + 100)
    b = f.read(1)
    f.seek(offset + 100)
    f.write(bytes([b[0] ^ 0x10]))
case('st_corrupt.h5', "st_corrupt.h5: cannot read layer fc", S % ('st_corrupt.h5', 'fc'))
text('st_not_hdf5.h5', 'this is not HDF5\n')
case('st_not_hdf5.h5', 'st_not_hdf5.h5: not an HDF5 file', S % ('st_not_hdf5.h5', 'fc'))
with open(os.path.join(HERE, 'st_good.h5'), 'rb') as f:
    raw('st_truncated.h5', f.read(600))
case('st_truncated.h5', 'st_truncated.h5', S % ('st_truncated.h5', 'fc'))
store('st_index_float.h5', extra=lambda f: (f.__delitem__('/inputs/index'), f.__setitem__('/inputs/index', np.arange(8.0))))
case('st_index_float.h5', 'st_index_float.h5: /inputs/index', S % ('st_index_float.h5', 'fc'))
store('st_predictions_short.h5', extra=lambda f: f.__setitem__('/inputs/predictions', np.zeros(3, np.int64)))
case('st_predictions_short.h5', 'st_predictions_short.h5: /inputs/predictions', 'inspect {bad}/st_predictions_short.h5')
store('st_string_activations.h5', layers={'fc': np.array([[b'a', b'b']] * 8)})
case('st_string_activations.h5', 'st_string_activations.h5', S % ('st_string_activations.h5', 'fc'))
nan_layer = rng.normal(size=(8, 3)).astype(np.float32)
nan_layer[2, 1] = np.nan
store('st_nan_layer.h5', layers={'fc': nan_layer})
case('st_nan_layer.h5:similarity', 'fc', 'similarity {bad}/st_nan_layer.h5 --force -o {out}')
case('st_nan_layer.h5:persistence', 'fc', S % ('st_nan_layer.h5', 'fc'))
store('st_other_ids.h5', extra=lambda f: (f.__delitem__('/inputs/index'), f.__setitem__('/inputs/index', np.arange(100, 108))))
case('st_other_ids.h5', 'not seen on the same inputs', 'similarity {bad}/st_good.h5 {bad}/st_other_ids.h5 --force -o {out}')

SG = '{bad}/st_good.h5'
for name, opts, culprit in [
        ('opt_points_negative', 'persistence %s --layer fc --max-dim 1 --points -5 --force -o {out}', '--points'),
        ('opt_points_1e20', 'persistence %s --layer fc --max-dim 1 --points 1e20 --force -o {out}', '--points'),
        ('opt_sampling', 'persistence %s --layer fc --max-dim 1 --sampling nosuch --force -o {out}', 'nosuch'),
        ('opt_mapper_eps_negative', 'mapper %s --layer fc --eps -1 --force -o {json}', '--eps'),
        ('opt_mapper_eps_nan', 'mapper %s --layer fc --eps nan --force -o {json}', '--eps'),
        ('opt_mapper_intervals', 'mapper %s --layer fc --intervals 0 --force -o {json}', 'interval'),
        ('opt_mapper_overlap', 'mapper %s --layer fc --overlap 1.5 --force -o {json}', 'overlap'),
        ('opt_mapper_lens', 'mapper %s --layer fc --lens nosuch --force -o {json}', 'nosuch'),
        ('opt_mapper_clusterer', 'mapper %s --layer fc --clusterer nosuch --force -o {json}', 'nosuch'),
        ('opt_mapper_min_samples', 'mapper %s --layer fc --min-samples 0 --force -o {json}', '--min-samples'),
        ('opt_mapper_points', 'mapper %s --layer fc --points -5 --force -o {json}', '--points'),
        ('opt_similarity_metric', 'similarity %s --metric nosuch --force -o {out}', 'nosuch'),
        ('opt_similarity_points', 'similarity %s --points -3 --force -o {out}', '--points'),
        ('opt_similarity_layer', 'similarity %s --layers nosuch --force -o {out}', 'nosuch'),
        ('opt_coactivation_correlation', 'coactivation %s --correlation nosuch --force -o {out}', 'nosuch'),
        ('opt_coactivation_points', 'coactivation %s --points -3 --force -o {out}', '--points'),
        ('opt_distances_points', 'distances %s --metric bottleneck --points -1 --force -o {out}', '--points'),
]:
    case(name, culprit, opts % SG)
text('bad_lens.txt', '0.5\n0.25\n')
case('bad_lens.txt', 'bad_lens.txt', 'mapper {bad}/st_good.h5 --layer fc --lens file:{bad}/bad_lens.txt --force -o {json}')

# ------------------------------------------------------------------ matrices for compare
names = ['a', 'b', 'c', 'd']


def matrix(name, values):
    rows = ['name,' + ','.join(names)] + [names[i] + ',' + ','.join(str(v) for v in values[i]) for i in range(4)]
    return text(name, '\n'.join(rows) + '\n')


m1 = np.array([[1, .9, .5, .1], [.9, 1, .6, .2], [.5, .6, 1, .7], [.1, .2, .7, 1]])
matrix('m_good1.csv', m1)
matrix('m_good2.csv', 1 - m1)
matrix('m_constant.csv', np.ones((4, 4)))
m_nan = m1.copy()
m_nan[1, 2] = np.nan
matrix('m_nan.csv', m_nan)
text('m_ragged.csv', 'name,a,b\na,1,2\nb,1\n')
C = 'compare {bad}/m_good1.csv {bad}/%s --force -o {outdir}'
case('m_constant.csv', 'm_constant', C % 'm_constant.csv')
case('m_nan.csv', 'm_nan', C % 'm_nan.csv')
case('m_ragged.csv', 'm_ragged.csv', C % 'm_ragged.csv')
case('compare_permutations_0', '--permutations', 'compare {bad}/m_good1.csv {bad}/m_good2.csv --permutations 0 --force -o {outdir}')
case('compare_one_matrix', 'at least 2', 'compare {bad}/m_good1.csv --force -o {outdir}')

# ------------------------------------------------------------------ datasets, models, commands
with h5py.File(os.path.join(HERE, 'ds_float_labels.h5'), 'w') as f:
    f['/x'] = np.zeros((4, 1, 8, 8), np.float32)
    f['/labels'] = np.array([0, 1.5, 1, 0])
with h5py.File(os.path.join(HERE, 'ds_no_x.h5'), 'w') as f:
    f['/labels'] = np.zeros(4, np.int64)
E = 'extract --model {data}/tiny_scripted.pt --dataset {bad}/%s --force -o {out}'
case('ds_float_labels.h5', 'ds_float_labels.h5', E % 'ds_float_labels.h5')
case('ds_no_x.h5', 'ds_no_x.h5', E % 'ds_no_x.h5')
case('extract_model_missing', 'nosuch.pt', 'extract --model {bad}/nosuch.pt --dataset {data}/tiny_data.h5 --force -o {out}')
case('extract_state_dict', 'tiny_state_dict.pt', 'extract --model {data}/tiny_state_dict.pt --dataset {data}/tiny_data.h5 --force -o {out}')
case('extract_layer', 'nosuch', 'extract --model {data}/tiny_scripted.pt --dataset {data}/tiny_data.h5 --layers nosuch --force -o {out}')
T = 'train --arch %s --dataset {data}/tiny_data.h5 --epochs 1 --force -o {out} '
case('train_widths_huge', '--widths', T % 'mlp' + '--widths 100000000')
case('train_widths_zero', '--widths', T % 'mlp' + '--widths 0')
case('train_checkpoints_file', '--checkpoints', T % 'mlp' + '--checkpoints {bad}/good.csv')
case('train_epochs_negative', '--epochs', T % 'mlp' + '--epochs -1')
case('train_arch', 'nosuch', T % 'nosuch')
case('unknown_command', "'persistance'", 'persistance x')
case('unknown_option', '--nosuch', 'persistence {bad}/good.csv --max-dim 1 --nosuch --force -o {out}')
case('inspect_text', 'good.csv', 'inspect {bad}/good.csv')
case('inspect_missing', 'nosuch.h5', 'inspect {bad}/nosuch.h5')

# ------------------------------------------------------------------ experiment files (actopo run)
# Each is the valid experiment below with one fault; the whole file is checked before any job, so the run
# must stop with one line naming the file, the line and the key, and write nothing under --results.
GOOD_EXPERIMENT = {
    'name': 'name: bad-example\n',
    'seed': 'seed: 3\n',
    'dataset': 'dataset: {path: ../tiny_data.h5}\n',
    'models': 'models:\n  - {name: mlp, train: {arch: mlp, widths: [8], epochs: 1}}\n',
    'sampling': 'sampling: {method: avgpool, points: 10}\n',
    'persistence': 'persistence: {max_dim: 1}\n',
}
text('ex_good.yaml', ''.join(GOOD_EXPERIMENT.values()))
R = 'run {bad}/%s --dry-run --results {outdir}'
RUN = 'run {bad}/%s --results {outdir}'


def experiment(name, culprit, replace=None, add='', whole=None, dry_run=False):
    """ex_<name>.yaml: the good experiment with sections replaced (None: left out) and lines added."""
    sections = dict(GOOD_EXPERIMENT)
    for key, value in (replace or {}).items():
        if value is None:
            del sections[key]
        else:
            sections[key] = value
    file = text(f'ex_{name}.yaml', whole if whole is not None else ''.join(sections.values()) + add)
    case(file, culprit, (R if dry_run else RUN) % file)


experiment('duplicate_key', 'ex_duplicate_key.yaml:8: seed: duplicate key (first given on line 2)', add='seed: 4\n')
experiment('duplicate_nested_key', 'persistence.max_dim: duplicate key',
           replace={'persistence': 'persistence:\n  max_dim: 1\n  max_dim: 2\n'})
experiment('unknown_key', "mapper.intervls: unknown key (did you mean 'intervals'?)", add='mapper: {intervls: 6}\n')
experiment('unknown_top_key', "persistance", add='persistance: {max_dim: 1}\n')
experiment('unknown_train_key', 'models[0].train.epoch', replace={
    'models': 'models:\n  - {name: mlp, train: {arch: mlp, widths: [8], epoch: 1}}\n'})
experiment('wrong_type_epochs', 'models[0].train.epochs', replace={
    'models': 'models:\n  - {name: mlp, train: {arch: mlp, widths: [8], epochs: two}}\n'})
experiment('wrong_type_seed', 'seed', replace={'seed': 'seed: [1, 2]\n'})
experiment('wrong_type_max_dim', 'persistence.max_dim', replace={'persistence': 'persistence: {max_dim: 1.5}\n'})
experiment('wrong_type_section', 'persistence', replace={'persistence': 'persistence: 3\n'})
experiment('negative_seed', 'seed', replace={'seed': 'seed: -3\n'})
experiment('negative_points', 'sampling.points', replace={'sampling': 'sampling: {method: avgpool, points: -5}\n'})
experiment('huge_points', 'sampling.points', replace={'sampling': 'sampling: {method: avgpool, points: 1e20}\n'})
experiment('negative_threshold', 'persistence.threshold', replace={'persistence': 'persistence: {max_dim: 1, threshold: -1}\n'})
experiment('negative_limit', 'dataset.limit', replace={'dataset': 'dataset: {path: ../tiny_data.h5, limit: -1}\n'})
experiment('negative_widths', 'widths', replace={
    'models': 'models:\n  - {name: mlp, train: {arch: mlp, widths: [-8], epochs: 1}}\n'})
experiment('negative_epochs', 'models[0].train.epochs', replace={
    'models': 'models:\n  - {name: mlp, train: {arch: mlp, widths: [8], epochs: -1}}\n'})
experiment('nan_lr', 'models[0].train.lr', replace={
    'models': 'models:\n  - {name: mlp, train: {arch: mlp, widths: [8], epochs: 1, lr: .nan}}\n'})
experiment('coeff_not_prime', 'persistence.coeff', replace={'persistence': 'persistence: {max_dim: 1, coeff: 4}\n'})
experiment('overlap', 'mapper.overlap', add='mapper: {overlap: 1.5}\n')
experiment('coactivation_threshold', 'coactivation.threshold', add='coactivation: {threshold: 2}\n')
experiment('compare_permutations', 'compare.permutations', add='compare: {permutations: 0}\n')
experiment('missing_dataset', 'nosuch_data.h5', replace={'dataset': 'dataset: {path: nosuch_data.h5}\n'})
experiment('missing_model', 'nosuch_model.pt', replace={'models': 'models:\n  - {name: given, path: nosuch_model.pt}\n'})
experiment('unknown_arch', 'vit', replace={
    'models': 'models:\n  - {name: mlp, train: {arch: vit, epochs: 1}}\n'})
experiment('unknown_split', 'validation', replace={'dataset': 'dataset: {name: fashion-mnist, split: validation}\n'})
experiment('unknown_sampling', 'nosuch', replace={'sampling': 'sampling: {method: nosuch}\n'})
experiment('unknown_backend', 'nosuch', replace={'persistence': 'persistence: {max_dim: 1, backend: nosuch}\n'})
experiment('unknown_distance', 'nosuch', add='distances: [bottleneck, nosuch]\n')
experiment('unknown_similarity', 'nosuch', add='similarity: [cka, nosuch]\n')
experiment('unknown_lens', "mapper.lens: expected one of l2norm", add='mapper: {lens: nosuch}\n')
experiment('lens_knn_zero', 'knn:0', add='mapper: {lens: "knn:0"}\n')
experiment('unknown_clusterer', 'kmeans', add='mapper: {clusterer: kmeans}\n')
experiment('distances_without_persistence', 'persistence', replace={'persistence': None}, add='distances: [bottleneck]\n')
experiment('no_name', 'name', replace={'name': None})
experiment('long_name', 'name', replace={'name': 'name: ' + 'x' * 5000 + '\n'})
experiment('slash_name', 'name', replace={'name': 'name: ../escape\n'})
experiment('no_models', 'models', replace={'models': None})
experiment('empty_models', 'models', replace={'models': 'models: []\n'})
experiment('duplicate_model_name', 'mlp', replace={
    'models': 'models:\n  - {name: mlp, train: {arch: mlp, epochs: 1}}\n  - {name: mlp, train: {arch: cnn, epochs: 1}}\n'})
experiment('model_train_and_path', 'models[0]', replace={
    'models': 'models:\n  - {name: mlp, path: ../tiny_scripted.pt, train: {arch: mlp, epochs: 1}}\n'})
experiment('syntax', 'ex_syntax.yaml', whole='name: [unclosed\nseed: 1\n')
experiment('tab_indent', 'ex_tab_indent.yaml', whole='name: x\nmodels:\n\t- {name: m}\n')
experiment('top_level_list', 'ex_top_level_list.yaml:1: the file: expected a mapping', whole='- name: x\n- seed: 1\n')
experiment('empty', 'ex_empty.yaml: the file: expected a mapping', whole='')
experiment('dry_run_checks_too', 'sampling.points', replace={'sampling': 'sampling: {points: -1}\n'}, dry_run=True)
case('ex_missing_file', 'nosuch.yaml', RUN % 'nosuch.yaml')
case('ex_results_is_file', 'good.csv', 'run {bad}/ex_good.yaml --results {bad}/good.csv')
case('train_nan_loss', 'training diverged', 'train --arch mlp --dataset {data}/tiny_nan.h5 --epochs 1 --force -o {out}')

with open(os.path.join(HERE, 'cases.tsv'), 'w') as f:
    f.write('# name\tculprit\targuments   (made by make_bad.py; see its docstring)\n')
    for c in cases:
        f.write('\t'.join(c) + '\n')
print(len(cases), 'cases,', len(os.listdir(HERE)), 'files')
