"""Scale-out beyond one machine: :mod:`coder.scale.dask` (``pip install 'coder[dask]'``).

See ``docs/scale-out.md`` for Dask, Ray Data and Slurm array jobs.
"""
