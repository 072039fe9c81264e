using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Model.Validation;

/// <summary>
/// The business rules of the built-in payloads, beyond JSON shape. Quantity rules per member:
/// <list type="bullet">
/// <item>must be greater than zero: goods received, stock moved, lot consumed, scrap reported, and any MRB line,
/// inspection, release or nonconformance quantity when given (a movement of nothing is no movement);</item>
/// <item>may be zero: cycle-count book and counted quantity (an empty bin is a valid count), production yield and
/// scrap (a scrap-only or closing confirmation has zero yield) and the good quantity of a scrap report;</item>
/// <item>never negative anywhere, and every quantity needs a valid unit.</item>
/// </list>
/// Quantities that are compared with each other (book and counted; yield and scrap; scrap and good quantity) must share a unit.
/// Authorization rules (justification, authorizer, design authority) are not shape rules: the state machines apply them.
/// </summary>
internal static class BuiltInPayloadRules
{
    public static void GoodsReceived(GoodsReceived p, PayloadValidationContext c)
    {
        c.RequireIdentifier(p.Lot, "lot");
        c.RequireIdentifier(p.Material, "material");
        c.RequireIdentifier(p.Site, "site");
        c.RequirePositive(p.Quantity, "quantity");
        c.RequireDefined(p.Category, "category");
        c.RequireDefined(p.Ownership, "ownership");
        c.RequireIdentifier(p.Location, "location");
        c.RequireIdentifier(p.Supplier, "supplier");
    }

    public static void StockMoved(StockMoved p, PayloadValidationContext c)
    {
        if (c.RequirePresent(p.Movement, "movement"))
        {
            Movement(p.Movement, c, "movement");
        }
    }

    public static void CycleCountRecorded(CycleCountRecorded p, PayloadValidationContext c)
    {
        if (!c.RequirePresent(p.Count, "count"))
        {
            return;
        }

        var count = p.Count;
        c.RequireIdentifier(count.Id, "count.id");
        c.RequireIdentifier(count.Material, "count.material");
        c.RequireIdentifier(count.Lot, "count.lot");
        c.RequireIdentifier(count.Site, "count.site");
        c.RequireIdentifier(count.Location, "count.location");
        c.RequireIdentifier(count.Bin, "count.bin");
        c.RequireIdentifier(count.CountedBy, "count.countedBy");
        c.RequireDefined(count.Category, "count.category");
        if (c.RequireNonNegative(count.BookQuantity, "count.bookQuantity") && c.RequireNonNegative(count.CountedQuantity, "count.countedQuantity"))
        {
            c.RequireSameUnit(count.BookQuantity, count.CountedQuantity, "count.countedQuantity");
        }
    }

    public static void LotConsumed(LotConsumed p, PayloadValidationContext c)
    {
        c.RequireIdentifier(p.Lot, "lot");
        c.RequireIdentifier(p.Material, "material");
        c.RequireIdentifier(p.Site, "site");
        c.RequireIdentifier(p.Order, "order");
        c.RequirePositive(p.Quantity, "quantity");
        c.RequireIdentifier(p.ProducedLot, "producedLot");
    }

    public static void SupplierUpdated(SupplierUpdated p, PayloadValidationContext c)
    {
        c.RequireIdentifier(p.Supplier, "supplier");
        c.RequireText(p.Change, "change");
        c.RequireTextOrAbsent(p.Note, "note");
    }

    public static void ProductionConfirmed(ProductionConfirmed p, PayloadValidationContext c)
    {
        c.RequireIdentifier(p.Order, "order");
        c.RequireIdentifier(p.Material, "material");
        c.RequireIdentifier(p.Site, "site");
        var yieldOk = c.RequireNonNegative(p.Yield, "yield");
        if (p.Scrap is { } scrap && c.RequireNonNegative(scrap, "scrap") && yieldOk)
        {
            c.RequireSameUnit(p.Yield, scrap, "scrap");
        }

        c.RequireIdentifier(p.ProducedLot, "producedLot");
        c.RequireIdentifier(p.ConfirmedBy, "confirmedBy");
    }

    public static void ScrapReported(ScrapReported p, PayloadValidationContext c)
    {
        c.RequireIdentifier(p.Site, "site");
        c.RequireText(p.Line, "line");
        c.RequireIdentifier(p.Material, "material");
        var quantityOk = c.RequirePositive(p.Quantity, "quantity");
        if (p.GoodQuantity is { } good && c.RequireNonNegative(good, "goodQuantity") && quantityOk)
        {
            c.RequireSameUnit(p.Quantity, good, "goodQuantity");
        }

        c.RequireIdentifier(p.Order, "order");
        c.RequireIdentifier(p.Lot, "lot");
    }

    public static void ApprovalGiven(ApprovalGiven p, PayloadValidationContext c)
    {
        c.RequireKey(p.RequestId, "requestId");
        c.RequireKey(p.PartitionKey, "partitionKey");
        Signature(p.Signature, c, "signature");
    }

    public static void ApprovalRefused(ApprovalRefused p, PayloadValidationContext c)
    {
        c.RequireKey(p.RequestId, "requestId");
        c.RequireKey(p.PartitionKey, "partitionKey");
        Signature(p.Signature, c, "signature");
    }

    public static void TimerElapsed(TimerElapsed p, PayloadValidationContext c)
    {
        c.RequireKey(p.TimerId, "timerId");
        c.RequireKey(p.Purpose, "purpose");
        c.RequireKey(p.Workflow, "workflow");
        c.RequireKey(p.PartitionKey, "partitionKey");
    }

    public static void InspectionPassed(InspectionPassed p, PayloadValidationContext c)
    {
        c.RequireIdentifier(p.InspectionLot, "inspectionLot");
        c.RequireIdentifier(p.Lot, "lot");
        c.RequireIdentifier(p.Material, "material");
        c.RequireIdentifier(p.Site, "site");
        c.RequireDefined(p.UsageDecision, "usageDecision");
        if (p.UsageDecision == UsageDecision.Reject)
        {
            c.AddError("usageDecision", ReasonCodes.OutOfRange, "A passed inspection cannot carry a reject usage decision.");
        }

        if (p.Quantity is { } quantity)
        {
            c.RequirePositive(quantity, "quantity");
        }

        c.RequireDefined(p.Origin, "origin");
        Results(p.Results, c, "results");
        c.RequireIdentifier(p.Inspector, "inspector");
    }

    public static void InspectionFailed(InspectionFailed p, PayloadValidationContext c)
    {
        c.RequireIdentifier(p.InspectionLot, "inspectionLot");
        c.RequireIdentifier(p.Lot, "lot");
        c.RequireIdentifier(p.Material, "material");
        c.RequireIdentifier(p.Site, "site");
        c.RequireIdentifier(p.Supplier, "supplier");
        c.RequireTextOrAbsent(p.DefectDescription, "defectDescription");
        if (c.RequireDefined(p.Severity, "severity") && p.Severity == DefectSeverity.None)
        {
            c.AddError("severity", ReasonCodes.OutOfRange, "A failed inspection names the severity of the defect found; 'none' is not one.");
        }

        if (p.RejectedQuantity is { } rejected)
        {
            c.RequirePositive(rejected, "rejectedQuantity");
        }

        c.RequireDefined(p.Origin, "origin");
        Results(p.Results, c, "results");
        Evidence(p.Evidence, c, "evidence");
        c.RequireIdentifier(p.Inspector, "inspector");
    }

    public static void NonconformanceRaised(NonconformanceRaised p, PayloadValidationContext c)
    {
        if (c.RequirePresent(p.Nonconformance, "nonconformance"))
        {
            var ncr = p.Nonconformance;
            c.RequireIdentifier(ncr.Id, "nonconformance.id");
            c.RequireDefined(ncr.Type, "nonconformance.type");
            c.RequireText(ncr.Problem, "nonconformance.problem");
            c.RequireIdentifier(ncr.Site, "nonconformance.site");
            c.RequireIdentifier(ncr.Material, "nonconformance.material");
            if (c.RequirePresent(ncr.Lots, "nonconformance.lots"))
            {
                for (var i = 0; i < ncr.Lots.Count; i++)
                {
                    c.RequireIdentifier(ncr.Lots[i], $"nonconformance.lots[{i}]");
                }
            }

            if (ncr.Quantity is { } quantity)
            {
                c.RequirePositive(quantity, "nonconformance.quantity");
            }

            c.RequireDefined(ncr.Severity, "nonconformance.severity");
            c.RequireIdentifier(ncr.Supplier, "nonconformance.supplier");
            c.RequireDefined(ncr.Status, "nonconformance.status");
            Lines(ncr.Dispositions, c, "nonconformance.dispositions", requireAny: false);
            Evidence(ncr.Evidence, c, "nonconformance.evidence");
        }

        c.RequireIdentifier(p.RaisedBy, "raisedBy");
    }

    public static void MrbDispositionDecided(MrbDispositionDecided p, PayloadValidationContext c)
    {
        c.RequireIdentifier(p.Nonconformance, "nonconformance");
        c.RequireIdentifier(p.Lot, "lot");
        c.RequireIdentifier(p.Material, "material");
        c.RequireIdentifier(p.Site, "site");
        Lines(p.Lines, c, "lines", requireAny: true);
        c.RequireIdentifier(p.DecidedBy, "decidedBy");
    }

    public static void StockDriftDetected(StockDriftDetected p, PayloadValidationContext c)
    {
        c.RequireIdentifier(p.Lot, "lot");
        c.RequireIdentifier(p.Site, "site");
        c.RequireIdentifier(p.Material, "material");
        c.RequireText(p.ReferenceSystem, "referenceSystem");
        if (p.Lines.Count == 0)
        {
            c.AddError("lines", ReasonCodes.Required, "A drift names at least one category on which systems disagree.");
        }

        for (var i = 0; i < p.Lines.Count; i++)
        {
            var line = p.Lines[i];
            var linePath = $"lines[{i}]";
            c.RequireDefined(line.Category, linePath + ".category");
            c.RequireDefined(line.Ownership, linePath + ".ownership");
            if (line.Quantities.Count < 2)
            {
                c.AddError(linePath + ".quantities", ReasonCodes.Required, "A drift compares the quantities of at least two systems.");
            }

            for (var j = 0; j < line.Quantities.Count; j++)
            {
                c.RequireText(line.Quantities[j].System, $"{linePath}.quantities[{j}].system");
                c.RequireNonNegative(line.Quantities[j].Quantity, $"{linePath}.quantities[{j}].quantity");
                if (j > 0)
                {
                    c.RequireSameUnit(line.Quantities[0].Quantity, line.Quantities[j].Quantity, $"{linePath}.quantities[{j}].quantity");
                }
            }
        }
    }

    public static void LotContainmentRequested(LotContainmentRequested p, PayloadValidationContext c)
    {
        c.RequireIdentifier(p.Lot, "lot");
        c.RequireIdentifier(p.Site, "site");
        c.RequireIdentifier(p.OriginLot, "originLot");
        c.RequireIdentifier(p.ProducedBy, "producedBy");
        c.RequireTextOrAbsent(p.Reason, "reason");
        for (var i = 0; i < p.Path.Count; i++)
        {
            c.RequireIdentifier(p.Path[i], $"path[{i}]");
        }

        if (p.Path.Count < 2)
        {
            c.AddError("path", ReasonCodes.Required, "The genealogy path names at least the origin lot and the lot contained.");
        }
        else if (p.Path[0] != p.OriginLot || p.Path[^1] != p.Lot)
        {
            c.AddError("path", ReasonCodes.OutOfRange, "The genealogy path runs from the origin lot (first) to the lot contained (last).");
        }
    }

    public static void WorkOrderHeld(WorkOrderHeld p, PayloadValidationContext c)
    {
        c.RequireIdentifier(p.Order, "order");
        c.RequireIdentifier(p.Site, "site");
        c.RequireIdentifier(p.Lot, "lot");
        c.RequireTextOrAbsent(p.Reason, "reason");
    }

    public static void WorkOrderHoldReleased(WorkOrderHoldReleased p, PayloadValidationContext c)
    {
        c.RequireIdentifier(p.Order, "order");
        c.RequireIdentifier(p.Site, "site");
        c.RequireIdentifier(p.ReleasedBy, "releasedBy");
        c.RequireTextOrAbsent(p.Reason, "reason");
    }

    public static void LotReleased(LotReleased p, PayloadValidationContext c)
    {
        c.RequireIdentifier(p.Lot, "lot");
        c.RequireIdentifier(p.Material, "material");
        c.RequireIdentifier(p.Site, "site");
        if (p.Quantity is { } quantity)
        {
            c.RequirePositive(quantity, "quantity");
        }

        c.RequireIdentifier(p.ReleasedBy, "releasedBy");
        c.RequireIdentifier(p.ProducedBy, "producedBy");
        if (c.RequirePresent(p.Backorders, "backorders"))
        {
            for (var i = 0; i < p.Backorders.Count; i++)
            {
                c.RequireText(p.Backorders[i], $"backorders[{i}]");
            }
        }
    }

    private static void Movement(GoodsMovement m, PayloadValidationContext c, string path)
    {
        c.RequireDefined(m.Kind, path + ".kind");
        c.RequireIdentifier(m.Lot, path + ".lot");
        c.RequireIdentifier(m.Material, path + ".material");
        c.RequireIdentifier(m.Site, path + ".site");
        c.RequirePositive(m.Quantity, path + ".quantity");
        if (m.FromCategory is { } from)
        {
            c.RequireDefined(from, path + ".fromCategory");
        }

        if (m.ToCategory is { } to)
        {
            c.RequireDefined(to, path + ".toCategory");
        }

        c.RequireDefined(m.FromOwnership, path + ".fromOwnership");
        c.RequireDefined(m.ToOwnership, path + ".toOwnership");
        c.RequireIdentifier(m.FromLocation, path + ".fromLocation");
        c.RequireIdentifier(m.ToLocation, path + ".toLocation");
        c.RequireIdentifier(m.Order, path + ".order");
        c.RequirePresent(m.ExternalReferences, path + ".externalReferences");
    }

    private static void Signature(ElectronicSignature? s, PayloadValidationContext c, string path)
    {
        if (!c.RequirePresent(s, path))
        {
            return;
        }

        c.RequireIdentifier(s.Signer, path + ".signer");
        if (!Identifier.IsValid(s.Role.Name, out var problem))
        {
            c.AddError(path + ".role", ReasonCodes.InvalidIdentifier, $"A role {problem}.");
        }

        c.RequireDefined(s.Meaning, path + ".meaning");
        c.RequireText(s.Reason, path + ".reason");
        c.RequireTextOrAbsent(s.Justification, path + ".justification");
    }

    private static void Results(IReadOnlyList<CharacteristicResult>? results, PayloadValidationContext c, string path)
    {
        if (!c.RequirePresent(results, path))
        {
            return;
        }

        for (var i = 0; i < results.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (c.RequirePresent(results[i], itemPath))
            {
                c.RequireText(results[i].Characteristic, itemPath + ".characteristic");
                c.RequireDefined(results[i].Valuation, itemPath + ".valuation");
                c.RequireDefined(results[i].Severity, itemPath + ".severity");
                if (results[i] is { LowerLimit: { } lower, UpperLimit: { } upper } && lower > upper)
                {
                    c.AddError(itemPath + ".lowerLimit", ReasonCodes.OutOfRange, "The lower specification limit is above the upper one.");
                }
            }
        }
    }

    private static void Evidence(IReadOnlyList<EvidenceReference>? evidence, PayloadValidationContext c, string path)
    {
        if (!c.RequirePresent(evidence, path))
        {
            return;
        }

        for (var i = 0; i < evidence.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (c.RequirePresent(evidence[i], itemPath))
            {
                c.RequirePresent(evidence[i].Location, itemPath + ".location");
            }
        }
    }

    private static void Lines(IReadOnlyList<MrbDispositionLine>? lines, PayloadValidationContext c, string path, bool requireAny)
    {
        if (!c.RequirePresent(lines, path))
        {
            return;
        }

        if (requireAny && lines.Count == 0)
        {
            c.AddError(path, ReasonCodes.Required, "At least one disposition line is required.");
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (!c.RequirePresent(lines[i], itemPath))
            {
                continue;
            }

            c.RequireDefined(lines[i].Disposition, itemPath + ".disposition");
            c.RequireIdentifier(lines[i].Lot, itemPath + ".lot");
            c.RequirePositive(lines[i].Quantity, itemPath + ".quantity");
            c.RequireIdentifier(lines[i].Authorizer, itemPath + ".authorizer");
            c.RequireTextOrAbsent(lines[i].Justification, itemPath + ".justification");
            if (lines[i].Signature is { } signature)
            {
                Signature(signature, c, itemPath + ".signature");
            }
        }
    }
}
