export type { SkillFamily, TokenVerdict, TokenVerifier, VerificationContext, LinkedUserOf } from './verifier';
export {
  JwtVerifier,
  HMAC_ALGORITHMS,
  ASYMMETRIC_ALGORITHMS,
  type JwtVerifierOptions,
  type JwtSecretOptions,
  type JwtPublicKeyOptions,
  type JwtLinkedUser,
  type HmacAlgorithm,
  type AsymmetricAlgorithm,
} from './jwt';
export { jwtVerifierFromEnvironment, type Environment } from './environment';
