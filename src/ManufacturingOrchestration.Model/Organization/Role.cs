using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>A role a person holds at a site. Well-known roles are static members; plants may define their own.</summary>
[JsonConverter(typeof(RoleJsonConverter))]
public readonly record struct Role
{
    /// <summary>Creates a role.</summary>
    /// <param name="name">The role name, a valid identifier.</param>
    public Role(string name) => Name = Identifier.Validate(name, "role");

    /// <summary>The role name.</summary>
    public string Name { get; }

    /// <summary>Quality engineer.</summary>
    public static Role QualityEngineer { get; } = new("quality-engineer");

    /// <summary>Quality manager.</summary>
    public static Role QualityManager { get; } = new("quality-manager");

    /// <summary>Member of the material review board.</summary>
    public static Role MrbMember { get; } = new("mrb-member");

    /// <summary>Design authority (aerospace concessions and repairs).</summary>
    public static Role DesignAuthority { get; } = new("design-authority");

    /// <summary>Inventory or production supervisor.</summary>
    public static Role Supervisor { get; } = new("supervisor");

    /// <summary>Cycle-count supervisor.</summary>
    public static Role CycleCountSupervisor { get; } = new("cycle-count-supervisor");

    /// <summary>Production or material planner.</summary>
    public static Role Planner { get; } = new("planner");

    /// <summary>Warehouse lead.</summary>
    public static Role WarehouseLead { get; } = new("warehouse-lead");

    /// <summary>Buyer (procurement).</summary>
    public static Role Buyer { get; } = new("buyer");

    /// <summary>Supplier quality engineer.</summary>
    public static Role SupplierQuality { get; } = new("supplier-quality");

    /// <summary>Maintenance lead.</summary>
    public static Role Maintenance { get; } = new("maintenance");

    /// <summary>Customer service.</summary>
    public static Role CustomerService { get; } = new("customer-service");

    /// <summary>Shop-floor operator or counter.</summary>
    public static Role Operator { get; } = new("operator");

    /// <summary>Orchestration operator: replays, skips and resolves dead letters.</summary>
    public static Role OrchestrationOperator { get; } = new("orchestration-operator");

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>A role held by an actor, at one site or (when <see cref="Site"/> is <see langword="null"/>) at every site.</summary>
public sealed record RoleAssignment
{
    /// <summary>The role.</summary>
    public required Role Role { get; init; }

    /// <summary>The site, or <see langword="null"/> for every site.</summary>
    public SiteId? Site { get; init; }
}

/// <summary>A person or system account known to the actor directory.</summary>
public sealed record Actor
{
    /// <summary>The actor identifier.</summary>
    public required ActorId Id { get; init; }

    /// <summary>A name for people.</summary>
    public string? DisplayName { get; init; }

    /// <summary>The roles the actor holds.</summary>
    public IReadOnlyList<RoleAssignment> Roles { get; init => field = value ?? []; } = [];

    /// <summary>Whether this is a system account rather than a person (a system account never signs approvals).</summary>
    public bool IsSystem { get; init; }

    /// <summary>Whether the actor holds <paramref name="role"/> at <paramref name="site"/>.</summary>
    /// <param name="role">The role.</param>
    /// <param name="site">The site.</param>
    /// <returns><see langword="true"/> when an assignment covers the role at the site.</returns>
    public bool HoldsRole(Role role, SiteId site)
    {
        foreach (var assignment in Roles)
        {
            if (assignment.Role == role && (assignment.Site is null || assignment.Site == site))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Reads and writes a <see cref="Role"/> as a JSON string, refusing names that are not valid.</summary>
public sealed class RoleJsonConverter : JsonConverter<Role>
{
    /// <inheritdoc />
    public override Role Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (!Identifier.IsValid(value, out var problem))
        {
            throw new JsonException($"A role {problem}.");
        }

        return new Role(value);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Role value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Name);
    }
}
