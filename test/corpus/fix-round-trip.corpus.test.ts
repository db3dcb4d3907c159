// The fix machinery's round trip over every manifest of the third-party corpus.
import { describeFixRoundTrip } from '../helpers/fix-round-trip.js';
import { corpusDir } from '../helpers/corpus.js';

describeFixRoundTrip('fix round trip over the real-world corpus', corpusDir(), { files: 150, changedFiles: 50, unchangedFiles: 50, workloads: 50 });
