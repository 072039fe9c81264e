namespace ManufacturingOrchestration.Testing;

/// <summary>Which ERP's rules the <see cref="ErpSimulator"/> follows where SAP and Dynamics 365 differ.</summary>
/// <remarks>
/// Both profiles apply the same lot machine; they differ where the vendors do: SAP records a usage decision and its stock
/// posting separately (SPRQ, then SPCO), posts a QM-active receipt wholly to inspection stock and knows stock in transfer
/// (303/305); Dynamics 365 posts a quality order when it is validated, holds only the sample of a receipt unless the
/// quality association blocks the full quantity, keeps batch disposition codes (some blocking) and quarantine orders,
/// and moves stock between sites through an in-transit warehouse only.
/// </remarks>
public enum ErpSimulatorProfile
{
    /// <summary>SAP S/4HANA-like rules.</summary>
    SapLike = 0,

    /// <summary>Dynamics 365 Supply Chain Management-like rules.</summary>
    D365Like = 1,
}
