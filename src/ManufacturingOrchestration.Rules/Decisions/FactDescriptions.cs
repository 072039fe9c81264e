using System.Globalization;
using System.Text;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Rules;

/// <summary>
/// How a matched fact is written into a decision's explanation (and so into the audit trail): what the fact is and
/// the values the shipped rules decide on, in one short line, formatted with the invariant culture.
/// </summary>
/// <remarks>
/// <para>The model's aggregates and master data are named by identity plus their decision-relevant values, for example
/// <c>lot L-1 of M-1 at P1 from S1: QI=100 EA; Pending; Restricted</c>, <c>material M-1 (criticality A, ABC C, supplier S1)</c>,
/// <c>site P1 (General, regulated)</c>. An event payload is named by its event type and business key
/// (<c>mfg.quality.inspection.failed.v1 for L-1</c>): the event itself is kept whole by the store, under the key the
/// audit record names. Any other fact (the caller's own, or the scenario-specific facts) is written with its own
/// <see cref="IFormattable.ToString(string, IFormatProvider)"/> or <see cref="object.ToString"/>, so a type of yours
/// controls its own text by overriding <c>ToString</c>; its <c>ToString</c> runs with the invariant culture, so a
/// record's compiler-written text (numbers, dates) is the same whatever the culture of the thread.</para>
/// <para>The text is a record of why a rule fired, not a serialization: nothing parses it back.</para>
/// </remarks>
public static class FactDescriptions
{
    /// <summary>Describes one fact.</summary>
    /// <param name="fact">The fact.</param>
    /// <returns>The one-line description.</returns>
    public static string Describe(object fact)
    {
        ArgumentNullException.ThrowIfNull(fact);
        return Append(new StringBuilder(96), fact).ToString();
    }

    /// <summary>Describes a lot: identity, material, site, supplier, stock by category and ownership, quality state and holds.</summary>
    /// <param name="lot">The lot.</param>
    /// <returns>For example <c>lot L-1 of M-1 at P1 from S1: QI=60 U=40 EA; Pending; Restricted; holds=H1</c>.</returns>
    public static string Describe(MaterialLot lot)
    {
        ArgumentNullException.ThrowIfNull(lot);
        return Append(new StringBuilder(96), lot).ToString();
    }

    /// <summary>Appends the description of one fact (the text of <see cref="Describe(object)"/>) without an intermediate string.</summary>
    /// <param name="builder">Where to write.</param>
    /// <param name="fact">The fact.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static StringBuilder Append(StringBuilder builder, object fact)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(fact);
        switch (fact)
        {
            case MaterialLot lot:
                return AppendLot(builder, lot);
            case MaterialDefinition material:
                return AppendMaterial(builder, material);
            case SiteProfile site:
                return builder.Append("site ").Append(site.Id.Value).Append($" ({site.Industry}").Append(site.IsRegulated ? ", regulated)" : ")");
            case EventPayload payload:
                return builder.Append(payload.EventType).Append(" for ").Append(payload.DefaultPartitionKey);
            case IFormattable formattable:
                return builder.Append(formattable.ToString(null, CultureInfo.InvariantCulture));
            default:
                return builder.Append(InvariantText.ToString(fact));
        }
    }

    private static StringBuilder AppendLot(StringBuilder sb, MaterialLot lot)
    {
        sb.Append("lot ").Append(lot.Id.Value).Append(" of ").Append(lot.Material.Value).Append(" at ").Append(lot.Site.Value);
        if (lot.Supplier is { } supplier)
        {
            sb.Append(" from ").Append(supplier.Value);
        }

        sb.Append(':');
        AppendStock(sb, lot);
        if (lot.ExpiryDate is { } expiry)
        {
            sb.Append("; expires ").Append(expiry.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (lot.IsRestrictedBatch)
        {
            sb.Append("; restricted batch");
        }

        if (lot.RequiresReinspection)
        {
            sb.Append("; re-inspection required");
        }

        return sb;
    }

    /// <summary>
    /// Appends a lot's stock and quality state: each bucket as category (and ownership when not own) = quantity, the
    /// unit, the quality decision, the disposition and any holds, e.g. <c> QI=60 U=40 EA; Pending; Restricted; holds=H1</c>.
    /// </summary>
    /// <param name="builder">Where to write.</param>
    /// <param name="lot">The lot.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static StringBuilder AppendStock(StringBuilder builder, MaterialLot lot)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(lot);
        if (lot.Buckets.Count == 0)
        {
            builder.Append(" empty");
        }

        var buckets = lot.Buckets;
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            builder.Append(' ').Append(Short(bucket.Category));
            if (bucket.Ownership != StockOwnership.Own)
            {
                builder.Append($"/{bucket.Ownership}");
            }

            builder.Append('=').Append(CultureInfo.InvariantCulture, $"{bucket.Quantity.Value}");
        }

        // Enums through the interpolation handler: formatted in place, not boxed.
        builder.Append(' ').Append(lot.Unit.Code).Append($"; {lot.QualityDecision}; {lot.Disposition}");
        for (var i = 0; i < lot.Holds.Count; i++)
        {
            builder.Append(i == 0 ? "; holds=" : ",").Append(lot.Holds[i]);
        }

        return builder;
    }

    private static StringBuilder AppendMaterial(StringBuilder sb, MaterialDefinition material)
    {
        sb.Append("material ").Append(material.Id.Value).Append($" (criticality {material.Criticality}, ABC {material.AbcClass}");
        if (material.Supplier is { } supplier)
        {
            sb.Append(", supplier ").Append(supplier.Value);
        }

        if (material.IsControlled)
        {
            sb.Append(", controlled");
        }

        if (material.ShelfLifeDays is { } days)
        {
            sb.Append(", shelf life ").Append(days.ToString(CultureInfo.InvariantCulture)).Append(" d");
        }

        return sb.Append(')');
    }

    private static string Short(StockCategory category) => category switch
    {
        StockCategory.Unrestricted => "U",
        StockCategory.QualityInspection => "QI",
        StockCategory.Blocked => "B",
        StockCategory.RestrictedUse => "R",
        StockCategory.InTransit => "T",
        _ => category.ToString(),
    };
}
