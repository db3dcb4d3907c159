// The fix machinery's round trip over the corpus excerpts kept in the repository.
import { describeFixRoundTrip } from './helpers/fix-round-trip.js';
import { corpusExcerptsDir } from './helpers/repo.js';

describeFixRoundTrip('fix round trip over the corpus excerpts', corpusExcerptsDir(), { files: 20, changedFiles: 15, unchangedFiles: 5, workloads: 20 });
