using System.Globalization;
using System.Text;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>A compact, readable description of a partition's business state for the audit trail.</summary>
internal static class StateDigest
{
    public static string Describe(PartitionState state)
    {
        if (state.Lot is { } lot)
        {
            var sb = new StringBuilder(96);
            sb.Append("lot ").Append(lot.Id.Value).Append(':');
            if (lot.Buckets.Count == 0)
            {
                sb.Append(" empty");
            }

            foreach (var bucket in lot.Buckets)
            {
                sb.Append(' ').Append(Short(bucket.Category));
                if (bucket.Ownership != StockOwnership.Own)
                {
                    sb.Append('/').Append(bucket.Ownership);
                }

                sb.Append('=').Append(bucket.Quantity.Value.ToString(CultureInfo.InvariantCulture));
            }

            sb.Append(' ').Append(lot.Unit.Code).Append("; ").Append(lot.QualityDecision).Append("; ").Append(lot.Disposition);
            if (lot.Holds.Count > 0)
            {
                sb.Append("; holds=").Append(string.Join(',', lot.Holds));
            }

            return sb.ToString();
        }

        if (state.Order is { } order)
        {
            return string.Create(CultureInfo.InvariantCulture, $"order {order.Id.Value}: {order.Status}; confirmed {order.ConfirmedQuantity}/{order.PlannedQuantity.Value} {order.PlannedQuantity.Unit.Code}; scrap {order.ScrapQuantity}");
        }

        if (state.Nonconformance is { } ncr)
        {
            return string.Create(CultureInfo.InvariantCulture, $"ncr {ncr.Id.Value}: {ncr.Status}; dispositions {ncr.Dispositions.Count}");
        }

        return state.Version == 0 ? "new" : string.Create(CultureInfo.InvariantCulture, $"v{state.Version}");
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
