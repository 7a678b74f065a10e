using Cluster.Screening.Detectors;
using Cluster.Screening.Lexicon;

namespace Cluster.Screening.Tests.Detectors;

public sealed class NumberDetectorTests
{
    private static readonly Screener Screener = new(LexiconSnapshot.Empty);

    [Fact]
    public void Finds_an_id_number_and_a_mobile_and_stores_them_masked()
    {
        const string text = "我的身份证号是11010519491231002X，电话13812345678";

        var findings = Screener.Screen(text).Findings;

        Assert.Equal(2, findings.Count);
        var id = findings.Single(f => f.Source == "detector:id-number");
        Assert.Equal((Category.Pii, "11010519491231002X", "110105**********2X"), (id.Category, text[id.Start..id.End], id.Text));
        var mobile = findings.Single(f => f.Source == "detector:mobile");
        Assert.Equal((Category.Contact, "13812345678", "138****5678"), (mobile.Category, text[mobile.Start..mobile.End], mobile.Text));
    }

    [Fact]
    public void Generated_valid_id_numbers_are_found_and_every_single_digit_change_is_rejected()
    {
        var random = new Random(11643);
        for (var n = 0; n < 500; n++)
        {
            var id = RandomValidId(random);
            Assert.True(IdNumber.IsValid(id), id);
            Assert.Equal("detector:id-number", Assert.Single(Screener.Screen($"身份证{id}。").Findings).Source);

            // MOD 11-2 catches every single-digit substitution.
            var position = random.Next(17);
            var wrong = id[..position] + (char)('0' + ((id[position] - '0' + 1 + random.Next(9)) % 10)) + id[(position + 1)..];
            Assert.False(IdNumber.IsValid(wrong), wrong);
            Assert.DoesNotContain(Screener.Screen($"身份证{wrong}。").Findings, f => f.Source == "detector:id-number");
        }
    }

    [Theory]
    [InlineData("99010519491231002X")] // no such province
    [InlineData("110105194902300000")] // 30 February (check digit made valid below)
    [InlineData("110105189912310000")] // born 1899
    public void Id_numbers_with_a_valid_check_digit_but_an_impossible_region_or_date_are_rejected(string body)
    {
        var id = body[..17] + IdNumber.CheckChar(body.AsSpan(0, 17));
        Assert.False(IdNumber.IsValid(id), id);
    }

    [Fact]
    public void Generated_luhn_valid_cards_are_found_and_invalid_ones_are_not()
    {
        var random = new Random(6222);
        for (var n = 0; n < 500; n++)
        {
            var length = random.Next(16, 20);
            var card = LuhnComplete("62" + RandomDigits(random, length - 3));
            Assert.True(BankCard.IsValid(card), card);
            var finding = Assert.Single(Screener.Screen($"卡号{card}转账").Findings);
            Assert.Equal(("detector:bank-card", Category.Pii), (finding.Source, finding.Category));
            Assert.Equal(card[..6] + new string('*', length - 10) + card[^4..], finding.Text);

            var broken = card[..^1] + (char)('0' + (card[^1] - '0' + 1 + random.Next(9)) % 10);
            Assert.Empty(Screener.Screen($"卡号{broken}转账").Findings);
        }
    }

    [Theory]
    [InlineData("电话 138 1234 5678 联系")]
    [InlineData("电话138-1234-5678")]
    [InlineData("电话+86 13812345678")]
    [InlineData("电话８６１３８１２３４５６７８")]
    [InlineData("电话①③⑧①②③④⑤⑥⑦⑧")]
    public void Mobile_numbers_with_separators_country_code_and_stylised_digits_are_found(string text)
    {
        var finding = Assert.Single(Screener.Screen(text).Findings);
        Assert.Equal(("detector:mobile", "138****5678"), (finding.Source, finding.Text));
        Assert.EndsWith("8", text[finding.Start..finding.End].Normalize(System.Text.NormalizationForm.FormKC));
    }

    [Theory]
    [InlineData("订单号 2138123456789")]   // inside a longer digit run
    [InlineData("价格12812345678元")]      // 12x is not a mobile prefix
    [InlineData("1381234567")]             // ten digits
    [InlineData("2024-11-22 13:05")]       // dates and times
    [InlineData("今天天气不错")]
    public void Numbers_that_are_not_mobiles_ids_or_cards_are_left_alone(string text)
    {
        Assert.Empty(Screener.Screen(text).Findings);
    }

    [Fact]
    public void A_long_run_of_groups_is_tried_group_by_group()
    {
        var findings = Screener.Screen("号码 2024 13812345678 谢谢").Findings;
        Assert.Equal("138****5678", Assert.Single(findings).Text);
    }

    [Fact]
    public void The_same_number_twice_is_one_finding_but_two_numbers_with_the_same_mask_are_two()
    {
        Assert.Single(Screener.Screen("13812345678，再说一遍13812345678").Findings);

        var two = Screener.Screen("13812345678，备用13899995678").Findings;
        Assert.Equal(2, two.Count);
        Assert.All(two, f => Assert.Equal("138****5678", f.Text));
    }

    internal static string RandomValidId(Random random)
    {
        string[] regions = ["110105", "310104", "440305", "510107", "650102", "820000"];
        var birth = new DateTime(1950, 1, 1).AddDays(random.Next(0, 365 * 70));
        var first17 = regions[random.Next(regions.Length)] + birth.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) + RandomDigits(random, 3);
        return first17 + IdNumber.CheckChar(first17);
    }

    private static string RandomDigits(Random random, int count) =>
        string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + random.Next(10))));

    private static string LuhnComplete(string withoutCheck)
    {
        for (var d = '0'; d <= '9'; d++)
        {
            if (BankCard.Luhn(withoutCheck + d))
            {
                return withoutCheck + d;
            }
        }
        throw new InvalidOperationException("unreachable: one check digit always completes a Luhn number");
    }
}
