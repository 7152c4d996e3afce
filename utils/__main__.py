"""Command line of the course:

    python -m utils data list                # the dataset registry
    python -m utils data fetch [NAME ...]    # find/download and verify datasets
    python -m utils run [--smoke] [NN ...]   # execute notebooks headlessly, print the scoreboard
    python -m utils scoreboard               # the results table of the last runs
    python -m utils lab [JUPYTER OPTIONS]    # JupyterLab on notebooks/ (what `make lab` runs)
    python -m utils student [NN ...]         # student copies without the worked solutions
"""
import sys

from . import data, notebooks


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["data"]:
        return data.main(argv[1:])
    if argv[:1] in (["run"], ["scoreboard"]):
        return notebooks.main(argv)
    if argv[:1] == ["lab"]:
        from . import lab

        return lab.main(argv[1:])
    if argv[:1] == ["student"]:
        from . import student

        return student.main(argv[1:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
