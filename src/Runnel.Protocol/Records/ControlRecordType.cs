namespace Runnel.Protocol.Records;

/// <summary>
/// The <c>type</c> field of a control record's key (<c>version int16 = 0, type int16</c>). Only the
/// transaction markers concern a broker without KRaft; types 2–6 are KRaft-internal.
/// </summary>
public enum ControlRecordType : short
{
    Abort = 0,
    Commit = 1,
}
