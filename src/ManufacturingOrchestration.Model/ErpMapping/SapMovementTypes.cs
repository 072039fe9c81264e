namespace ManufacturingOrchestration.Model.ErpMapping;

/// <summary>A SAP movement type and the movement type that reverses it (SAP's "+1" rule, kept as data).</summary>
public sealed class SapMovementTypePair
{
    /// <summary>Creates a pair.</summary>
    /// <param name="forward">The forward movement type, three digits.</param>
    /// <param name="reversal">The movement type that reverses it.</param>
    /// <param name="description">What the forward movement does.</param>
    public SapMovementTypePair(string forward, string reversal, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(forward);
        ArgumentException.ThrowIfNullOrWhiteSpace(reversal);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        Forward = forward;
        Reversal = reversal;
        Description = description;
    }

    /// <summary>The forward movement type.</summary>
    public string Forward { get; }

    /// <summary>The movement type that reverses <see cref="Forward"/>.</summary>
    public string Reversal { get; }

    /// <summary>What the forward movement does.</summary>
    public string Description { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Forward}/{Reversal} {Description}";
}

/// <summary>
/// The SAP movement types the orchestrator maps, as a lookup table of pairs (forward type and its reversal). SAP's
/// "reversal = movement type + 1" rule is applied as table entries, never as arithmetic on an arbitrary code: a code
/// that is not in the table has no known reversal. Pairs whose directions are marked <em>secondary</em> in the domain
/// notes (343/344, 349/350) follow the usual SAP configuration.
/// </summary>
public static class SapMovementTypes
{
    /// <summary>Every pair, ordered by forward movement type.</summary>
    public static IReadOnlyList<SapMovementTypePair> Pairs { get; } =
    [
        new("101", "102", "Goods receipt (purchase order, order, or stock in transit at the receiving plant) into unrestricted, QI or blocked stock"),
        new("122", "123", "Return delivery to the supplier"),
        new("201", "202", "Goods issue to a cost centre"),
        new("261", "262", "Goods issue (consumption) for a production order, from unrestricted stock only"),
        new("311", "312", "Storage-location move within unrestricted (or restricted-use) stock"),
        new("321", "322", "Quality inspection to unrestricted (restricted batch: to restricted-use); 322 is unrestricted to quality inspection"),
        new("323", "324", "Storage-location move within quality-inspection stock"),
        new("325", "326", "Storage-location move within blocked stock"),
        new("331", "332", "Withdrawal for sampling from quality-inspection stock"),
        new("333", "334", "Withdrawal for sampling from unrestricted stock"),
        new("335", "336", "Withdrawal for sampling from blocked stock"),
        new("341", "342", "Batch status change: unrestricted to restricted-use; 342 is restricted-use to unrestricted"),
        new("343", "344", "Blocked to unrestricted; 344 is unrestricted to blocked (secondary)"),
        new("349", "350", "Blocked to quality inspection; 350 is quality inspection to blocked (secondary)"),
        new("351", "352", "Plant-to-plant transfer out into stock in transit"),
        new("411", "412", "Vendor consignment (special stock K) to own stock"),
        new("551", "552", "Scrap from unrestricted stock"),
        new("553", "554", "Scrap from quality-inspection stock"),
        new("555", "556", "Scrap from blocked stock"),
        new("701", "702", "Inventory difference in unrestricted stock: 701 surplus (receipt), 702 shortage (issue)"),
        new("703", "704", "Inventory difference in quality-inspection stock: 703 surplus, 704 shortage"),
        new("707", "708", "Inventory difference in blocked stock: 707 surplus, 708 shortage"),
    ];

    private static readonly Dictionary<string, SapMovementTypePair> ByCode = BuildIndex();

    /// <summary>Finds the movement type that reverses <paramref name="movementType"/> (either direction of a pair).</summary>
    /// <param name="movementType">A movement type, such as <c>101</c> or <c>102</c>.</param>
    /// <param name="reversal">The reversing movement type, when the code is in the table.</param>
    /// <returns><see langword="true"/> when the code is in the table.</returns>
    public static bool TryGetReversal(string movementType, out string reversal)
    {
        ArgumentNullException.ThrowIfNull(movementType);
        if (ByCode.TryGetValue(movementType, out var pair))
        {
            reversal = pair.Forward == movementType ? pair.Reversal : pair.Forward;
            return true;
        }

        reversal = string.Empty;
        return false;
    }

    /// <summary>Finds the pair a movement type belongs to.</summary>
    /// <param name="movementType">A movement type.</param>
    /// <param name="pair">The pair, when known.</param>
    /// <returns><see langword="true"/> when the code is in the table.</returns>
    public static bool TryGetPair(string movementType, out SapMovementTypePair pair)
    {
        ArgumentNullException.ThrowIfNull(movementType);
        return ByCode.TryGetValue(movementType, out pair!);
    }

    /// <summary>Whether <paramref name="movementType"/> is the second (reversing) type of its pair.</summary>
    /// <param name="movementType">A movement type.</param>
    /// <returns><see langword="true"/> when it is a reversal type in the table.</returns>
    public static bool IsReversalType(string movementType) =>
        TryGetPair(movementType, out var pair) && pair.Reversal == movementType;

    private static Dictionary<string, SapMovementTypePair> BuildIndex()
    {
        var index = new Dictionary<string, SapMovementTypePair>(StringComparer.Ordinal);
        foreach (var pair in Pairs)
        {
            index.Add(pair.Forward, pair);
            index.Add(pair.Reversal, pair);
        }

        return index;
    }
}
