import { context, DerReader, oid, readFirst, SEQUENCE, UNIVERSAL, universal } from './der.ts';

/**
 * cRLDistributionPoints and authorityInfoAccess: the verdicts use neither, but Go's parser reads
 * both (for their URLs) and refuses a certificate whose encoding of them it cannot read, so their
 * structure is checked the way Go reads it. Throws DerError.
 */

const URI = context(6, false);

/** Go's CRL distribution points reading: SEQUENCE OF SEQUENCE { [0] { [0] { [6] URI… } } … }. */
export function checkCrlDistributionPoints(value: Buffer): void {
  const points = DerReader.of(readFirst(value, SEQUENCE, 'CRL distribution points'));
  while (!points.empty()) {
    const point = DerReader.of(points.read(SEQUENCE, 'CRL distribution point'));
    const name = point.readOptional(context(0, true), 'distribution point name');
    if (!name) continue;
    const full = DerReader.of(DerReader.of(name).read(context(0, true), 'full name'));
    while (!full.empty() && full.readOptional(URI, 'CRL URI')) {
      // each URI read is one Go keeps; the first other name ends the list
    }
  }
}

/** Go's authority info access reading: SEQUENCE OF SEQUENCE { OID, [6] URI (or another name, skipped) }. */
export function checkAuthorityInfoAccess(value: Buffer): void {
  const list = DerReader.of(readFirst(value, SEQUENCE, 'authority info access'));
  while (!list.empty()) {
    const access = DerReader.of(list.read(SEQUENCE, 'access description'));
    oid(access.read(universal(UNIVERSAL.oid), 'access method'), { smallArcs: true });
    access.readOptional(URI, 'access location');
  }
}
