"""Paper A's three principles: the judge on constructed weights, and the verdict tables."""

import pytest
import sympy as sp

from unified_attribution import methods
from unified_attribution.taylor import multi_indices, support
from unified_attribution.theory import principles

APPROXIMATION, UNRELATED, COMPLETE = principles.COLUMNS
EFFECTS = [(k, support(k)) for k in multi_indices(3, 3)]


def _judge(weight):
    return principles.judge(EFFECTS, lambda k: [weight(i, k) for i in range(3)])


def test_a_fair_allocation_holds_everywhere():
    verdicts = _judge(lambda i, k: sp.Rational(k[i], sum(k)))
    assert {c: v.verdict for c, v in verdicts.items()} == dict.fromkeys(principles.COLUMNS, "holds")
    assert all(v.violation == 0 for v in verdicts.values())


def test_each_principle_is_caught_alone():
    # an effect left out (every term of order 3 gets nothing): only the first principle fails
    left_out = _judge(lambda i, k: sp.Rational(k[i], sum(k)) if sum(k) < 3 else 0)
    assert [left_out[c].verdict for c in principles.COLUMNS] == ["fails", "holds", "holds"]

    # variable 1 gets a tenth of every effect of {2, 3}, the members keep the rest
    def unrelated(i, k):
        if k[0] == 0:
            return sp.Rational(1, 10) if i == 0 else sp.Rational(9, 10) * k[i] / sum(k)
        return sp.Rational(k[i], sum(k))

    found = _judge(unrelated)
    assert [found[c].verdict for c in principles.COLUMNS] == ["holds", "fails", "holds"]
    assert found[UNRELATED].violation == pytest.approx(0.1)
    # Occlusion-1's weights: every member gets the whole effect
    doubled = _judge(lambda i, k: int(k[i] > 0))
    assert [doubled[c].verdict for c in principles.COLUMNS] == ["holds", "holds", "fails"]
    assert doubled[COMPLETE].violation == pytest.approx(2.0)  # a triple: 3 - 1
    assert doubled[COMPLETE].where == "the weights of kappa=(1, 1, 1) sum to 3"


def test_the_papers_weights_reproduce_its_table_2():
    assert (
        principles.disagreements(principles.table("paper"), principles.table("paper weights")) == []
    )


def test_book_weights_disagree_where_the_rows_differ():
    found = principles.disagreements(principles.table("paper"), principles.table("book weights"))
    cells = {(m, c) for m, c, *_ in found}
    # Gradient x Input by the book: sum_kappa kappa_i t(kappa), every term counted kappa_i times
    assert ("gradient_x_input", APPROXIMATION) in cells and ("gradient_x_input", COMPLETE) in cells
    assert all(m in {"gradient_x_input", "lrp_epsilon", "grad_cam"} for m, _ in cells)


def test_table_shape_and_vocabulary():
    for source in ("paper", "paper weights", "book weights"):
        table = principles.table(source)
        assert list(table.index) == list(methods.PAPER_A_TABLE_ORDER)  # the paper's order
        assert list(table.columns) == [
            "low approximation error",
            "no unrelated allocation",
            "complete allocation",
        ]
        assert set(table.values.ravel()) <= {"holds", "fails", "holds in the limit", "not derived"}
    assert (principles.table("paper") == "holds").all(
        axis=1
    ).sum() == 6  # Table 2: six pass all three


def test_measured_table_on_chosen_methods():
    from unified_attribution.theory import probes

    table = probes.table(methods=["shapley_value", "occlusion_1", "integrated_gradients"])
    assert list(table.loc["shapley_value"]) == ["holds"] * 3
    assert list(table.loc["occlusion_1"]) == ["holds", "holds", "fails"]
    assert table.loc["integrated_gradients", APPROXIMATION] == "holds in the limit"


def test_the_lrp_rows_depend_on_the_sign_pattern():
    """The paper's own alpha-beta weights reproduce its marks with contributions (1, 2, -1, -2);
    with all of them positive the beta share has no carrier and e_1's weights sum to alpha."""
    mixed = principles.from_weights("lrp_alpha_beta", contributions=(1, 2, -1, -2))
    assert [mixed[c].verdict for c in principles.COLUMNS] == ["holds", "fails", "holds"]
    positive = principles.from_weights("lrp_alpha_beta", contributions=(1, 2, 3, 4))
    assert [positive[c].verdict for c in principles.COLUMNS] == ["holds", "holds", "fails"]
    assert positive[COMPLETE].where == "the weights of kappa=(1, 0, 0, 0) sum to 2"
    with pytest.raises(ValueError, match="one contribution per variable"):
        principles.from_weights("lrp_alpha_beta", contributions=(1, 2))


def test_the_principles_module_does_not_import_the_probes():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(principles))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert "probes" not in imported


def test_unknown_source_is_refused():
    with pytest.raises(ValueError, match="unknown source"):
        principles.table("papers")


def test_one_neuron_rules():
    assert all(v.verdict == "holds" for v in principles.on_neuron("deeplift_revealcancel").values())
    alpha_beta = principles.on_neuron("lrp_alpha_beta")
    assert alpha_beta[UNRELATED].verdict == "fails" and alpha_beta[COMPLETE].verdict == "holds"
    assert principles.on_neuron("gradient_x_input")[COMPLETE].verdict == "fails"


def test_the_judge_splits_a_total_as_the_charge_does():
    # weights that give each pair three quarters of its effect: part of it is left out, which
    # the first principle is charged (as the probe charge does with 0 <= r < 1), not the third
    found = _judge(lambda i, k: sp.Rational(3, 4) * k[i] / sum(k) if sum(k) == 2 else k[i] / sum(k))
    assert [found[c].verdict for c in principles.COLUMNS] == ["fails", "holds", "holds"]
    assert found[APPROXIMATION].violation == pytest.approx(0.25)
    charged = principles.charge([0.375, 0.375, 0.0], (0, 1), 1.0)
    assert charged[APPROXIMATION] == pytest.approx(0.25) and charged[COMPLETE] == 0.0


def test_a_share_outside_s_moves_the_total_only_over_every_variable():
    # S = {1, 2}; the members get the whole effect, variable 3 a further half of it
    over_all = principles.charge([0.5, 0.5, 0.5], (0, 1), 1.0)
    over_members = principles.charge([0.5, 0.5, 0.5], (0, 1), 1.0, total="members")
    assert over_all[UNRELATED] == over_members[UNRELATED] == pytest.approx(0.5)
    assert over_all[COMPLETE] == pytest.approx(0.5)  # charged a second time
    assert over_members[COMPLETE] == 0.0 and over_members[APPROXIMATION] == 0.0
    with pytest.raises(ValueError, match="total='some'"):
        principles.charge([1.0, 0.0, 0.0], (0,), 1.0, total="some")


def test_the_papers_table_2_needs_the_total_over_every_variable():
    moved = principles.disagreements(
        principles.table("paper"), principles.table("paper weights", total="members")
    )
    assert {m for m, *_ in moved} == {"lrp_alpha_beta", "deep_taylor"}


def test_the_books_alpha_beta_weights_are_its_own_derivation():
    from dataclasses import replace

    from unified_attribution.theory import layerwise, table_1

    context = replace(table_1.row("lrp_alpha_beta").context, contributions=(1, 2, -1))
    book = table_1.weights("lrp_alpha_beta", (1, 0, 0), "book", context)
    paper = table_1.weights("lrp_alpha_beta", (1, 0, 0), "paper", context)
    assert book == [sp.Rational(2, 3), sp.Rational(4, 3), -1] and paper == [2, 0, -1]
    assert book == layerwise.alpha_beta_weights((1, 2, -1), 2, 1)
    assert table_1.agrees_with_book("lrp_alpha_beta") is False


def test_the_tables_keep_the_papers_one_order():
    # paper A's Table 1 and Table 2 list the fourteen in one order; the book's chapters go by
    # family, and Grad-CAM is in the paper's gradient family
    assert tuple(principles.TABLE_2) == methods.PAPER_A_TABLE_ORDER
    assert set(methods.PAPER_A_TABLE_ORDER) == set(methods.PAPER_A_METHODS)
    assert methods.get("grad_cam").family == "gradient" and methods.get("grad_cam").traced
