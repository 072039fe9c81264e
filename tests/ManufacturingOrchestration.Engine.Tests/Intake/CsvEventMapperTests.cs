using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Engine.Tests.Intake;

public sealed class CsvEventMapperTests
{
    [Fact]
    public void TrySplit_QuotedFieldsWithDelimitersAndQuotes_AreKept()
    {
        CsvEventMapper.TrySplit("a,\"b, c\",\"say \"\"hi\"\"\",", ',', out var fields, out _).Should().BeTrue();

        fields.Should().Equal("a", "b, c", "say \"hi\"", "");
    }

    [Fact]
    public void TrySplit_UnclosedQuote_Fails()
    {
        CsvEventMapper.TrySplit("a,\"b", ',', out _, out var error).Should().BeFalse();

        error.Should().Contain("not closed");
    }

    [Theory]
    [InlineData("LOT-1,\"12\"0,EA", 2)]
    [InlineData("\"Capacitance low\" 3 of 5,EA", 1)]
    [InlineData("a,b,\"c\"d", 3)]
    public void TrySplit_TextAfterAClosingQuote_FailsNamingTheFieldInsteadOfJoiningIt(string line, int field)
    {
        CsvEventMapper.TrySplit(line, ',', out _, out var error).Should().BeFalse("\"12\"0 must never be read as 120");

        error.Should().Contain($"Field {field} has text after its closing quote");
    }

    [Fact]
    public void TrySplit_SpacesAfterAClosingQuote_AreAllowed()
    {
        CsvEventMapper.TrySplit("\"a, b\"  ,\"c\"\t", ',', out var fields, out _).Should().BeTrue();

        fields.Select(f => f.Trim()).Should().Equal("a, b", "c");
    }

    [Fact]
    public void Map_QuantityWithTextAfterItsClosingQuote_IsRefusedNotReadAsAnotherNumber()
    {
        var sut = new CsvEventMapper(["type", "site", "lot", "material", "inspection_lot", "severity", "rejected_quantity", "unit"], "file-drop", null);

        var (json, errors, _) = sut.Map("qc.csv", 2, "inspection-failed,P1,LOT-1,CAP-100UF,IL-1,major,\"12\"0,EA", ',');

        json.Should().BeNull();
        errors.Should().ContainSingle().Which.Message.Should().Contain("Field 7 has text after its closing quote");
    }

    [Fact]
    public void DeriveEventId_SameInput_SameIdAndAnyChangeGivesAnotherId()
    {
        var id = CsvEventMapper.DeriveEventId("a.csv", 2, "x,y");

        CsvEventMapper.DeriveEventId("a.csv", 2, "x,y").Should().Be(id);
        CsvEventMapper.DeriveEventId("a.csv", 3, "x,y").Should().NotBe(id);
        CsvEventMapper.DeriveEventId("b.csv", 2, "x,y").Should().NotBe(id);
        CsvEventMapper.DeriveEventId("a.csv", 2, "x,z").Should().NotBe(id);
    }

    [Fact]
    public void Map_HeaderWithThousandsOfUnknownColumns_RefusesEachRowWithABoundedListOfProblems()
    {
        var sut = new CsvEventMapper([.. Enumerable.Range(0, 5000).Select(i => "x" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))], "file-drop", "cycle-count");

        var (json, errors, _) = sut.Map("wide.csv", 2, string.Join(',', Enumerable.Repeat("1", 5000)), ',');

        json.Should().BeNull();
        errors.Should().HaveCount(CsvEventMapper.MaxHeaderErrors + 1);
        errors[0].Message.Should().Be("The header names an unknown column 'x0'.");
        errors[^1].Message.Should().Be("The header has 4990 more problems like these.");
    }

    [Fact]
    public void Map_HugeUnknownColumnOrEventType_TheMessageQuotesOnlyTheirStart()
    {
        var hugeColumn = new string('z', 100_000);
        var hugeType = new string('t', 100_000);

        var (_, columnErrors, _) = new CsvEventMapper(["type", "site", hugeColumn], "file-drop", null).Map("a.csv", 2, "cycle-count,P1,1", ',');
        var (_, typeErrors, _) = new CsvEventMapper(["type", "site"], "file-drop", null).Map("a.csv", 2, hugeType + ",P1", ',');

        columnErrors.Should().ContainSingle().Which.Message.Should().Be($"The header names an unknown column '{new string('z', CsvEventMapper.MaxShownLength)}…'.");
        typeErrors.Should().ContainSingle().Which.Message.Should().StartWith($"column 'type': '{new string('t', CsvEventMapper.MaxShownLength)}…' is not a CSV event type");
        typeErrors[0].Message.Length.Should().BeLessThan(300);
    }

    [Fact]
    public void Map_CycleCountRow_ReadsAsAValidCycleCountEvent()
    {
        var sut = new CsvEventMapper(["site", "count_id", "material", "lot", "bin", "category", "book_quantity", "counted_quantity", "unit", "counted_by"], "file-drop", "cycle-count");

        var (json, errors, _) = sut.Map("counts.csv", 2, "P1;CC-1;CAP-100UF;LOT-9;A-01;Unrestricted;100;97.5;EA;counter-1", ';');
        var parsed = EventSerializer.Default.Parse(json!);

        errors.Should().BeEmpty();
        parsed.IsSuccess.Should().BeTrue(parsed.ToString());
        parsed.Envelope!.Type.Should().Be(EventTypes.CycleCountRecorded);
        parsed.Envelope.Source.Should().Be("file-drop");
        var count = parsed.Envelope.Data.Should().BeOfType<CycleCountRecorded>().Which.Count;
        count.CountedQuantity.Value.Should().Be(97.5m);
        count.Category.Should().Be(StockCategory.Unrestricted);
        count.Lot.Should().Be(new LotId("LOT-9"));
    }

    [Fact]
    public void Map_UnknownHeaderColumn_EveryRowIsRefusedNamingIt()
    {
        var sut = new CsvEventMapper(["type", "lot", "materal"], "file-drop", null);

        var (json, errors, _) = sut.Map("x.csv", 2, "inspection-passed,LOT-1,CAP", ',');

        json.Should().BeNull();
        errors.Should().ContainSingle().Which.Message.Should().Contain("'materal'");
    }

    [Fact]
    public void Map_ColumnNotInTheRowsLayout_IsRefused()
    {
        var sut = new CsvEventMapper(["type", "site", "lot", "material", "inspection_lot", "severity"], "file-drop", null);

        var (json, errors, _) = sut.Map("x.csv", 2, "inspection-passed,P1,LOT-1,CAP,IL-1,major", ',');

        json.Should().BeNull();
        errors.Should().ContainSingle().Which.Should().Match<Model.Validation.ValidationError>(e => e.ReasonCode == ReasonCodes.OutOfRange && e.Message.Contains("'severity'", StringComparison.Ordinal));
    }

    [Fact]
    public void Map_UnknownType_IsRefusedWithTheKnownOnes()
    {
        var sut = new CsvEventMapper(["type", "lot"], "file-drop", null);

        var (_, errors, _) = sut.Map("x.csv", 2, "scrap,LOT-1", ',');

        errors.Should().ContainSingle().Which.Should().Match<Model.Validation.ValidationError>(e => e.ReasonCode == ReasonCodes.UnknownEventType && e.Message.Contains("inspection-failed", StringComparison.Ordinal));
    }
}
