namespace Cluster.Screening;

/// <summary>The fixed label categories of api-v1.md. The numeric values index per-category arrays.</summary>
public enum Category : byte
{
    Fraud,
    Gambling,
    Porn,
    Rumor,
    Abuse,
    Ads,
    Contact,
    Pii,
    Phishing,
    Drugs,
    Weapons,
    Illegal,
    Spam,
    Politics,
}
