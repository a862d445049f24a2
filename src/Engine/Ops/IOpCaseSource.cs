namespace NativeTrustRegion.Engine;

/// <summary>The cases of one op folder (its <c>&lt;Folder&gt;.Cases.cs</c>); <see cref="OpCaseTable"/> finds every implementation.</summary>
public interface IOpCaseSource
{
    IEnumerable<OpCase> Cases();
}
