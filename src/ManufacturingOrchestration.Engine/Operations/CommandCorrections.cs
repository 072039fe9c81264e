using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;
using ManufacturingOrchestration.Adapters;

namespace ManufacturingOrchestration.Engine.Operations;

/// <summary>
/// What an operator's edited replay may change in a command: only the properties marked
/// <see cref="OperatorCorrectableAttribute"/>, at any depth of the records the command carries. Everything else — what
/// the command acts on and what was decided — must equal the planned command's, compared member by member (lists
/// element by element, in order).
/// </summary>
internal static class CommandCorrections
{
    // Deeper than any command's records: a graph this deep is compared as a whole, never walked without end.
    private const int MaxDepth = 16;

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Compared = new();

    /// <summary>
    /// The path of the first property <paramref name="edited"/> changes that a correction may not change (such as
    /// <c>ChangeStockCategoryRequest.ToCategory</c>), or <see langword="null"/> when every change is to a correctable
    /// property. The commands' contexts are not compared: a replay gets a context of its own.
    /// </summary>
    public static string? FirstForbiddenChange(AdapterCommand planned, AdapterCommand edited)
    {
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(edited);
        var type = planned.GetType();
        return type != edited.GetType() ? type.Name : CompareMembers(planned, edited, type.Name, 0);
    }

    private static string? Compare(object? planned, object? edited, string path, int depth)
    {
        if (planned is null || edited is null)
        {
            return planned is null && edited is null ? null : path;
        }

        var type = planned.GetType();
        if (type != edited.GetType())
        {
            return path;
        }

        if (Equals(planned, edited))
        {
            return null;
        }

        // Values with no members of their own to tell apart (numbers, text, identifiers, quantities) differ as a whole.
        if (type.IsValueType || planned is string || depth >= MaxDepth)
        {
            return path;
        }

        if (planned is IEnumerable plannedItems && edited is IEnumerable editedItems)
        {
            return CompareItems(plannedItems, editedItems, path, depth);
        }

        // A record that holds a list is unequal to an equal copy (lists compare by reference): compare its members.
        return CompareMembers(planned, edited, path, depth);
    }

    private static string? CompareItems(IEnumerable planned, IEnumerable edited, string path, int depth)
    {
        var plannedList = planned.Cast<object?>().ToList();
        var editedList = edited.Cast<object?>().ToList();
        if (plannedList.Count != editedList.Count)
        {
            return path;
        }

        for (var i = 0; i < plannedList.Count; i++)
        {
            if (Compare(plannedList[i], editedList[i], $"{path}[{i}]", depth + 1) is { } changed)
            {
                return changed;
            }
        }

        return null;
    }

    private static string? CompareMembers(object planned, object edited, string path, int depth)
    {
        foreach (var property in Compared.GetOrAdd(planned.GetType(), ComparedProperties))
        {
            if (Compare(property.GetValue(planned), property.GetValue(edited), path + "." + property.Name, depth + 1) is { } changed)
            {
                return changed;
            }
        }

        return null;
    }

    /// <summary>
    /// The properties a correction may not change: the public ones a command is serialized with (not those it ignores,
    /// such as its kind), neither correctable nor the command's context.
    /// </summary>
    private static PropertyInfo[] ComparedProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead
                && p.GetIndexParameters().Length == 0
                && p.GetCustomAttribute<JsonIgnoreAttribute>() is null
                && p.GetCustomAttribute<OperatorCorrectableAttribute>() is null
                && !(p.Name == nameof(AdapterCommand.Context) && typeof(AdapterCommand).IsAssignableFrom(type)))
            .OrderBy(p => p.MetadataToken)
            .ToArray();
}
