"""The fork server of ``kg ingest -j N`` builds the pipeline once; workers fork from it."""

import subprocess
import sys


def test_warm_builds_the_pipeline_and_the_classifier_once():
    code = ("import kg.runners.warm\n"
            "from kg.nlp.pipeline import load_nlp\n"
            "from kg.extract.learned import load_decider\n"
            "print(load_nlp.cache_info().currsize, load_decider.cache_info().currsize)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1", "1"]

