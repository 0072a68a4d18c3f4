"""The final project's report from run directories: Markdown and a self-contained HTML page.

    python report.py RUN_DIR [RUN_DIR ...] [--search SEARCH_DIR] [--title T] --out DIR

Writes ``DIR/report.md``, ``DIR/report.html`` (images embedded: one file to hand in) and
``DIR/images/`` (the figures the Markdown links). Sections: data and preprocessing, network,
hyperparameters (with ``--search``, the trials of a ``train.py --tune`` search), training and
monitoring, evaluation, final outputs, the runs side by side, limitations. See
docs/final-project.md.
"""

import sys

from lab_tf.cli import ArgumentParser, report_bad_input
from lab_tf.report import write_report


def build_parser():
    parser = ArgumentParser(prog="report.py", description="Turn run directories into the project's report "
                                                          "(report.md and a self-contained report.html).")
    parser.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run directories made by train.py")
    parser.add_argument("--search", metavar="SEARCH_DIR", help="a train.py --tune search directory: its trials "
                                                               "table, best trial and effects figure")
    parser.add_argument("--title", help="the report's title (default: names the runs)")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write into (new, empty, or one "
                                                                     "holding only a previous report)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        markdown, page = write_report(args.runs, args.out, args.search, args.title)
    except (ValueError, OSError) as error:
        return report_bad_input(error)
    print(f"wrote {markdown} and {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
