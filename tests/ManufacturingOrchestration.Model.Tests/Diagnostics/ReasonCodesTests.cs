using System.Reflection;
using System.Text;

namespace ManufacturingOrchestration.Model.Tests.Diagnostics;

public class ReasonCodesTests
{
    [Fact]
    public void All_Codes_AreUnique()
    {
        ReasonCodes.All.Select(c => c.Code).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void All_ContainsEveryDeclaredCode()
    {
        var declared = typeof(ReasonCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(ReasonCode))
            .Select(f => ((ReasonCode)f.GetValue(null)!).Code);

        ReasonCodes.All.Select(c => c.Code).Should().BeEquivalentTo(declared);
    }

    [Fact]
    public void All_Codes_AreLowerCaseDotted()
    {
        ReasonCodes.All.Should().OnlyContain(c => c.Code.Contains('.') && c.Code == c.Code.ToLowerInvariant() && !c.Code.Contains(' '));
    }

    [Fact]
    public void TryFind_KnownAndUnknownCode_FindsOnlyKnown()
    {
        ReasonCodes.TryFind("payload.too-large", out var found).Should().BeTrue();
        found.Should().Be(ReasonCodes.PayloadTooLarge);
        ReasonCodes.TryFind("payload.nope", out _).Should().BeFalse();
    }

    [Fact]
    public void Parse_CataloguedCode_ReturnsTheCatalogueEntry()
    {
        var code = ReasonCode.Parse("lot.on-hold");

        code.Should().Be(ReasonCodes.LotOnHold);
        code.Description.Should().Be("The lot is on hold.");
    }

    [Fact]
    public void Parse_UnknownCode_KeepsTheCodeWithAnEmptyDescription()
    {
        var code = ReasonCode.Parse("mrb.rework");

        code.Code.Should().Be("mrb.rework");
        code.Description.Should().BeEmpty();
    }

    [Fact]
    public void Parse_BlankCode_Throws()
    {
        var parse = () => ReasonCode.Parse(" ");

        parse.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Equals_SameCodeDifferentDescription_AreEqual()
    {
        var described = new ReasonCode("SCRAP-07", "Porosity found at the weld.");

        described.Should().Be(ReasonCode.Parse("SCRAP-07"));
        described.GetHashCode().Should().Be(ReasonCode.Parse("SCRAP-07").GetHashCode());
        described.Should().NotBe(ReasonCode.Parse("SCRAP-08"));
    }

    /// <summary>
    /// docs/reason-codes.md is generated from <see cref="ReasonCodes.All"/>. When this fails, run the tests with
    /// MO_UPDATE_DOCS=1 to rewrite the file, and commit it.
    /// </summary>
    [Fact]
    public void ReasonCodesDoc_MatchesCatalogue()
    {
        var path = Path.Combine(RepositoryRoot.Path, "docs", "reason-codes.md");
        var expected = RenderCatalogue();
        if (Environment.GetEnvironmentVariable("MO_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        File.Exists(path).Should().BeTrue($"{path} documents the catalogue");
        File.ReadAllText(path).ReplaceLineEndings("\n").Should().Be(expected, "docs/reason-codes.md must list exactly ReasonCodes.All; rerun with MO_UPDATE_DOCS=1");
    }

    internal static string RenderCatalogue()
    {
        var builder = new StringBuilder();
        builder.Append("# Reason codes\n\n");
        builder.Append("The shared catalogue of `ManufacturingOrchestration.Model.ReasonCodes`. Every refusal, rejection, validation error and\n");
        builder.Append("business alert names one of these codes. Codes are stable: never renamed or reused; new ones are added.\n\n");
        builder.Append("Every public property that holds a reason code is typed `ReasonCode` (or `ReasonCode?`). In JSON, in the stores and\n");
        builder.Append("in audit texts a reason code is its code string alone, such as `\"lot.on-hold\"`: `ReasonCodeJsonConverter`, registered\n");
        builder.Append("on the type, writes `Code` and reads a string back through the catalogue (as `ReasonCode.Parse` does): a catalogued\n");
        builder.Append("code gets its description, and any other string (a plant's own code, or a newer version's) is kept unchanged with an\n");
        builder.Append("empty description, never an error. Two reason codes are equal when their codes are. Free text a person writes (a\n");
        builder.Append("`Reason`) stays a string.\n\n");
        builder.Append("This file is generated from `ReasonCodes.All` by `ReasonCodesTests` (run the Model tests with `MO_UPDATE_DOCS=1`),\n");
        builder.Append("and that test fails when it is out of date.\n");
        foreach (var group in ReasonCodes.All.GroupBy(c => c.Code[..c.Code.IndexOf('.', StringComparison.Ordinal)]))
        {
            builder.Append("\n## ").Append(group.Key).Append("\n\n| code | member | meaning |\n|---|---|---|\n");
            foreach (var code in group)
            {
                builder.Append("| `").Append(code.Code).Append("` | `").Append(MemberName(code)).Append("` | ")
                    .Append(code.Description.Replace("|", "\\|", StringComparison.Ordinal)).Append(" |\n");
            }
        }

        return builder.ToString();
    }

    private static string MemberName(ReasonCode code) => typeof(ReasonCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .First(f => f.FieldType == typeof(ReasonCode) && ((ReasonCode)f.GetValue(null)!).Code == code.Code).Name;
}
