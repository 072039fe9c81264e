using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.StandardScenario;

namespace ManufacturingOrchestration.Throughput;

/// <summary>
/// Checks the outcome of a run against the scenario: what every runner is held to (<see cref="EffectVerifier"/>: publish
/// results, every effect count by command kind, idempotency keys, ERP and WMS outcomes, order per lot), then what only
/// the orchestrator records: the engine's own lot state, one <c>processed</c> audit record per lot with its
/// explanation (<paramref name="explanations"/>), no dead letters, and the audit chains verifying.
/// </summary>
/// <param name="scenario">The scenario that was run.</param>
/// <param name="plant">The plant the run drove.</param>
/// <param name="orchestrator">The orchestrator, still running.</param>
/// <param name="counts">What the publishers were told.</param>
/// <param name="explanations">Checks one lot's explanation: returns what is wrong, or <see langword="null"/>.</param>
internal sealed class ScenarioVerifier(InspectionScenario scenario, IScenarioPlant plant, Orchestrator orchestrator, PublishCounts counts, Func<int, string?, string?> explanations)
{
    public async Task VerifyAsync(List<string> failures, CancellationToken ct)
    {
        EffectVerifier.VerifyCounts(scenario.Lots, counts.Accepted, counts.Duplicates, counts.Rejected, failures);
        plant.VerifyEffects(static _ => true, failures);
        await VerifyLotsAsync(static _ => true, failures, ct).ConfigureAwait(false);
        await VerifyStoreAsync(orchestrator, scenario.Lots, failures, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// What one node of a cluster run is held to, for the lots it processed (<paramref name="includes"/>): their effects
    /// in its own plant, none of the other lots' effects there, and each lot's state, audit record and explanation in the
    /// store. The publish counts and <see cref="VerifyStoreAsync"/> are checked across the nodes.
    /// </summary>
    public async Task VerifyNodeAsync(Func<int, bool> includes, List<string> failures, CancellationToken ct)
    {
        plant.VerifyEffects(includes, failures);
        await VerifyLotsAsync(includes, failures, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// What the store holds as a whole: no open dead letters, and every audit chain — one per lot, one record each —
    /// verifying.
    /// </summary>
    public static async Task VerifyStoreAsync(Orchestrator orchestrator, int lots, List<string> failures, CancellationToken ct)
    {
        var deadLetters = await orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, ct).ConfigureAwait(false);
        EffectVerifier.Expect(failures, "open dead letters", 0, deadLetters.Count);

        var verification = await orchestrator.Audit.VerifyAllAsync(ct).ConfigureAwait(false);
        if (!verification.IsValid)
        {
            failures.Add($"audit chain: {verification.Violations.Count} violation(s), first: {verification.Violations[0].Message}");
        }

        EffectVerifier.Expect(failures, "audit chains checked", lots, verification.ChainsChecked);
        EffectVerifier.Expect(failures, "audit records checked", lots, verification.RecordsChecked);
    }

    private async Task VerifyLotsAsync(Func<int, bool> includes, List<string> failures, CancellationToken ct)
    {
        var lots = scenario.Lots;
        for (var k = 0; k < lots && failures.Count <= EffectVerifier.MaxFailures; k++)
        {
            if (!includes(k))
            {
                continue;
            }

            var lot = new LotId(InspectionScenario.LotId(k));
            var target = InspectionScenario.IsFailed(k) ? StockCategory.Blocked : StockCategory.Unrestricted;
            var state = await orchestrator.GetPartitionAsync(lot.Value, ct).ConfigureAwait(false);
            if (state?.Lot is not { } engineLot || engineLot.QuantityIn(target).Value != InspectionScenario.LotQuantity || engineLot.QuantityIn(StockCategory.QualityInspection).Value != 0)
            {
                failures.Add($"{lot}: the engine's lot state is not {InspectionScenario.LotQuantity} {target}");
            }

            if (state is { IsParked: true })
            {
                failures.Add($"{lot}: parked");
            }

            var audit = await orchestrator.GetAuditTrailAsync(lot.Value, ct).ConfigureAwait(false);
            if (audit is not [{ Action: "processed" } processed])
            {
                failures.Add($"{lot}: expected one 'processed' audit record; found {string.Join(", ", audit.Select(a => a.Action))}");
            }
            else if (explanations(k, processed.Explanation) is { } wrong)
            {
                failures.Add($"{lot}: {wrong}");
            }
        }
    }

    /// <summary>The shipped workflow: the explanation names the deciding rule.</summary>
    public static string? NamesDecidingRule(int k, string? explanation)
    {
        var rule = InspectionScenario.IsFailed(k) ? "mo.inspection-failed.quarantine" : "mo.inspection-passed.release";
        return explanation?.Contains(rule, StringComparison.Ordinal) == true ? null : $"the explanation does not name {rule}";
    }
}
