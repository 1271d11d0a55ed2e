/**
 * The one way to put the account-linking gate on a skill builder of any family
 * ({@link withAccountLinking}), and the gate's configuration typed by its verifier
 * ({@link accountLinking}). The gate runs first and its error handler is tried first, whatever
 * the order the skill's parts are added in. See docs/custom-skills.md, docs/smart-home.md, docs/music.md.
 */
import type { CustomSkillBuilder } from 'ask-sdk-core';
import { ConfigurationError } from './errors';
import { installCustomGate, type CustomGateOptions } from './custom/gate';
import type { DirectiveSkillBuilder } from './directive/builder';
import type { DirectiveGateOptions } from './directive/gate';
import {
  linkedUserAccessors,
  type HasRequestAttributes,
  type LinkedAccount,
  type LinkedUserAccessors,
} from './gate/linked-account';
import type { CommonGateOptions } from './gate/options';
import type { MusicSkillBuilder } from './music/builder';
import type { MusicGateOptions } from './music/gate';
import { INSTALL_GATE } from './runtime-skill';

/**
 * The gate options of every family in one type: `verifier` is required, the rest optional; each
 * family reads its own (`speech` and `voiceLinking` are custom skills', `outageErrorType`
 * directive skills', `allowUnlinked` music skills') and ignores the others.
 */
export type AccountLinkingOptions<P> = CustomGateOptions<P> & DirectiveGateOptions<P> & MusicGateOptions<P>;

/**
 * A gate's configuration and the accessors of its linked users, typed by its verifier: with a
 * `JwtVerifier`, `getLinkedUser(input)` is a `JwtLinkedUser`; with a `LoginWithAmazonVerifier`,
 * an `AmazonLinkedUser`; with your own `TokenVerifier<Rider>`, a `Rider`. The accessors are
 * plain functions: `const { getLinkedUser } = linking` works.
 */
export class AccountLinking<P> implements LinkedUserAccessors<P> {
  readonly getLinkedUser: (input: HasRequestAttributes) => P;
  readonly findLinkedUser: (input: HasRequestAttributes) => P | undefined;
  readonly findLinkedAccount: (input: HasRequestAttributes) => LinkedAccount<P> | undefined;
  readonly getLinkedAccessToken: (input: HasRequestAttributes) => string;

  constructor(
    /** The options the gate is built from, on each builder it is installed on. */
    readonly options: Readonly<AccountLinkingOptions<P>>,
  ) {
    if (typeof options?.verifier?.verify !== 'function') {
      throw new ConfigurationError('The account-linking gate needs a verifier with a verify() method');
    }
    ({
      getLinkedUser: this.getLinkedUser,
      findLinkedUser: this.findLinkedUser,
      findLinkedAccount: this.findLinkedAccount,
      getLinkedAccessToken: this.getLinkedAccessToken,
    } = linkedUserAccessors<P>());
  }
}

/**
 * The account-linking gate of a skill, typed by its verifier: install it with
 * {@link withAccountLinking}, read linked users with its accessors.
 */
export function accountLinking<P>(options: AccountLinkingOptions<P>): AccountLinking<P> {
  return new AccountLinking(options);
}

/** Smart home, video and meetings skills: the gate before every handler of a `directiveSkillBuilder()`. */
export function withAccountLinking<B extends DirectiveSkillBuilder, P>(
  builder: B,
  gate: AccountLinking<P> | DirectiveGateOptions<P>,
): B;
/** Music skills: the gate before every handler of a `musicSkillBuilder()`. */
export function withAccountLinking<B extends MusicSkillBuilder, P>(
  builder: B,
  gate: AccountLinking<P> | MusicGateOptions<P>,
): B;
/** Custom skills: the gate before every handler of `SkillBuilders.custom()` or `.standard()`. */
export function withAccountLinking<B extends CustomSkillBuilder, P>(
  builder: B,
  gate: AccountLinking<P> | CustomGateOptions<P>,
): B;
/**
 * Puts the account-linking gate on a skill builder of any family and returns the same builder.
 * Call it once per builder; where in the chain does not matter. `gate` is an
 * {@link AccountLinking} (for typed linked users) or the family's gate options.
 *
 * @example
 * const linking = accountLinking({ verifier });
 * const skill = withAccountLinking(SkillBuilders.custom(), linking)
 *   .addRequestHandlers(LaunchHandler, OrderRideHandler)
 *   .addErrorHandlers(CatchAllHandler)
 *   .create();
 */
export function withAccountLinking(
  builder: unknown,
  gate: AccountLinking<unknown> | CommonGateOptions<unknown>,
): unknown {
  const install = builderInstaller(builder);
  return install
    ? install(optionsOf(gate))
    : installCustomGate(builder as CustomSkillBuilder, optionsOf(gate) as CustomGateOptions<unknown>);
}

/**
 * {@link withAccountLinking} for smart home, video and meetings skills, as
 * `ask-sdk-account-linking/directive` exports it (under that name): the same gate, put on a
 * `directiveSkillBuilder()` by the builder itself, without the custom family's gate and its speech
 * in 17 locales (~12 KiB minified, which a bundler can then leave out; the root's `withAccountLinking` must carry
 * them, since `SkillBuilders.custom()` is ask-sdk-core's and cannot install a gate itself).
 *
 * @throws ConfigurationError for a builder that is not a `directiveSkillBuilder()`.
 */
export function withDirectiveAccountLinking<B extends DirectiveSkillBuilder, P>(
  builder: B,
  gate: AccountLinking<P> | DirectiveGateOptions<P>,
): B {
  return installThroughBuilder(builder, gate, 'directiveSkillBuilder()') as B;
}

/**
 * {@link withAccountLinking} for music skills, as `ask-sdk-account-linking/music` exports it (under
 * that name): the same gate, put on a `musicSkillBuilder()` by the builder itself, without the
 * custom family's gate and speech (see {@link withDirectiveAccountLinking}).
 *
 * @throws ConfigurationError for a builder that is not a `musicSkillBuilder()`.
 */
export function withMusicAccountLinking<B extends MusicSkillBuilder, P>(
  builder: B,
  gate: AccountLinking<P> | MusicGateOptions<P>,
): B {
  return installThroughBuilder(builder, gate, 'musicSkillBuilder()') as B;
}

/** The gate installed by a builder that carries its own installer (the directive and music builders). */
function installThroughBuilder(
  builder: unknown,
  gate: AccountLinking<unknown> | CommonGateOptions<unknown>,
  expected: string,
): unknown {
  const install = builderInstaller(builder);
  if (!install) {
    throw new ConfigurationError(
      `withAccountLinking from this subpath installs the gate on a ${expected} only; for SkillBuilders.custom(), import withAccountLinking from 'ask-sdk-account-linking'`,
    );
  }
  return install(optionsOf(gate));
}

/** The gate options behind `gate`: an {@link AccountLinking}'s, or the options themselves. */
function optionsOf(gate: AccountLinking<unknown> | CommonGateOptions<unknown>): CommonGateOptions<unknown> {
  return gate instanceof AccountLinking ? gate.options : gate;
}

/** The installer of a builder that installs gates itself (the runtime builders), bound to it; `undefined` for others. */
function builderInstaller(builder: unknown): ((options: CommonGateOptions<unknown>) => unknown) | undefined {
  const install = (builder as { [INSTALL_GATE]?: unknown } | undefined)?.[INSTALL_GATE];
  return typeof install === 'function' ? (options) => install.call(builder, options) : undefined;
}
