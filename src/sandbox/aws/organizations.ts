/** AWSOrganizationsV20161128: the read operations the wizard uses, over the seeded organization. */
import { AwsError } from './errors.js';
import type { Input, OpContext, Output } from './context.js';
import { page } from './paging.js';
import type { AccountRec, AwsState } from './state.js';

const invalid = (msg: string): AwsError => new AwsError(400, 'InvalidInputException', msg, { Reason: 'INVALID_INPUT' });

function accountOut(s: AwsState, a: AccountRec): Output {
  return {
    Id: a.id,
    Arn: `arn:aws:organizations::${s.org.managementAccountId}:account/${s.org.id}/${a.id}`,
    Email: a.email,
    Name: a.name,
    Status: a.state,
    State: a.state,
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: a.joinedTimestamp,
  };
}

function ouOut(s: AwsState, ou: { id: string; name: string }): Output {
  return { Id: ou.id, Arn: `arn:aws:organizations::${s.org.managementAccountId}:ou/${s.org.id}/${ou.id}`, Name: ou.name };
}

function checkParent(s: AwsState, id: string): void {
  if (id !== s.org.rootId && !s.ous.some((o) => o.id === id)) {
    throw new AwsError(400, 'ParentNotFoundException', 'We can\'t find a root or OU with the ParentId that you specified.');
  }
}

const MAX = 20;

export function organizations(op: string, input: Input, ctx: OpContext): Output {
  const s = ctx.state;
  const opts = (o: string) => ({ operation: o, max: MAX, validationCode: 'InvalidInputException' });
  switch (op) {
    case 'DescribeOrganization':
      return {
        Organization: {
          Id: s.org.id,
          Arn: `arn:aws:organizations::${s.org.managementAccountId}:organization/${s.org.id}`,
          FeatureSet: 'ALL',
          MasterAccountId: s.org.managementAccountId,
          MasterAccountArn: `arn:aws:organizations::${s.org.managementAccountId}:account/${s.org.id}/${s.org.managementAccountId}`,
          MasterAccountEmail: s.org.managementEmail,
          AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
        },
      };
    case 'DescribeAccount': {
      const a = s.accounts.find((x) => x.id === input.AccountId);
      if (!a) throw new AwsError(400, 'AccountNotFoundException', 'You specified an account that doesn\'t exist.');
      return { Account: accountOut(s, a) };
    }
    case 'ListAccounts': {
      const p = page(s.accounts, input, opts(op));
      return { Accounts: p.items.map((a) => accountOut(s, a)), NextToken: p.nextToken };
    }
    case 'ListRoots':
      return {
        Roots: [
          {
            Id: s.org.rootId,
            Arn: `arn:aws:organizations::${s.org.managementAccountId}:root/${s.org.id}/${s.org.rootId}`,
            Name: 'Root',
            PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
          },
        ],
      };
    case 'ListOrganizationalUnitsForParent': {
      const parent = String(input.ParentId);
      checkParent(s, parent);
      const p = page(s.ous.filter((o) => o.parentId === parent), input, opts(op));
      return { OrganizationalUnits: p.items.map((o) => ouOut(s, o)), NextToken: p.nextToken };
    }
    case 'ListAccountsForParent': {
      const parent = String(input.ParentId);
      checkParent(s, parent);
      const p = page(s.accounts.filter((a) => a.parentId === parent), input, opts(op));
      return { Accounts: p.items.map((a) => accountOut(s, a)), NextToken: p.nextToken };
    }
    case 'ListChildren': {
      const parent = String(input.ParentId);
      checkParent(s, parent);
      const kids =
        input.ChildType === 'ACCOUNT'
          ? s.accounts.filter((a) => a.parentId === parent).map((a) => ({ Id: a.id, Type: 'ACCOUNT' }))
          : s.ous.filter((o) => o.parentId === parent).map((o) => ({ Id: o.id, Type: 'ORGANIZATIONAL_UNIT' }));
      const p = page(kids, input, opts(op));
      return { Children: p.items, NextToken: p.nextToken };
    }
    case 'ListDelegatedAdministrators': {
      if (input.ServicePrincipal !== undefined && typeof input.ServicePrincipal !== 'string') throw invalid('ServicePrincipal must be a string.');
      const admins = s.delegatedAdministrators
        .map((id) => s.accounts.find((a) => a.id === id))
        .filter((a): a is AccountRec => a !== undefined)
        .map((a) => ({ ...accountOut(s, a), DelegationEnabledDate: a.joinedTimestamp }));
      const p = page(admins, input, opts(op));
      return { DelegatedAdministrators: p.items, NextToken: p.nextToken };
    }
    case 'ListAWSServiceAccessForOrganization': {
      const p = page(s.serviceAccess, input, opts(op));
      return { EnabledServicePrincipals: p.items, NextToken: p.nextToken };
    }
    default:
      throw invalid(`Operation ${op} is not supported by the sandbox.`);
  }
}
