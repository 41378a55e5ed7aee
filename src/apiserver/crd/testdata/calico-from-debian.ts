/**
 * Project Calico's 17 CustomResourceDefinitions (crd.projectcalico.org/v1, Calico v3.21), as Debian 12
 * ships them: OpenStack Magnum's python3-magnum 15.0.1-4 installs Calico's rendered manifest inside
 * drivers/common/templates/kubernetes/fragments/calico-service.sh, a shell heredoc that Magnum applies
 * with kubectl. Its `# Source: calico/templates/kdd-crds.yaml` section is Calico v3.21.2's
 * _includes/charts/calico/crds/kdd/crd.projectcalico.org_*.yaml, unchanged (compared document by
 * document when this was written; Magnum's release note: "Upgrade to calico_tag=v3.21.2").
 * `scripts/setup.sh --test` unpacks the package under /opt/bosun/test-data/python3-magnum (installing it
 * would pull in 166 OpenStack packages); an installed python3-magnum is used as well.
 * Pinned by the file's sha256: another Debian revision fails the test until it is looked at again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

export const DEBIAN_PACKAGE = 'python3-magnum';
export const DEBIAN_VERSION = '15.0.1-4';
const SCRIPT = 'usr/lib/python3/dist-packages/magnum/drivers/common/templates/kubernetes/fragments/calico-service.sh';
const ROOTS = ['/opt/bosun/test-data/python3-magnum/', '/'];
const SHA256 = 'a76ab826ac660a8a4b3c23c37e051cbbd43db86e297655edd0eb71bbe76c5618';
const SECTION = '# Source: calico/templates/kdd-crds.yaml\n';

/** The script's path, or undefined when neither the unpacked nor an installed package is there. */
export function calicoScriptPath(): string | undefined {
  return ROOTS.map((r) => r + SCRIPT).find((p) => existsSync(p));
}

/**
 * Calico's CRD section, byte for byte as the script holds it: from its `# Source:` line up to the
 * next template's. The text, not what bash would write: the heredoc is unquoted, so bash would run
 * the backquoted words in Calico's descriptions (`aa:nn`) as commands. Throws when the file is not
 * the pinned one or the section is not found.
 */
export function calicoCrdsYaml(path: string): string {
  const text = readFileSync(path, 'utf8');
  const sum = createHash('sha256').update(text).digest('hex');
  if (sum !== SHA256) throw new Error(`${path}: sha256 ${sum}, pinned ${SHA256} (${DEBIAN_PACKAGE} ${DEBIAN_VERSION}): look at the new revision`);
  const start = text.indexOf(SECTION);
  const end = text.indexOf('\n# Source: ', start + SECTION.length);
  if (start < 0 || end < 0) throw new Error(`${path}: no ${SECTION.trim()} section`);
  return text.slice(start, end + 1);
}
